import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { SourceInput } from "@varlink-ts/codegen";
import { parseInterface } from "@varlink-ts/runtime/idl";
import { glob, isDynamicPattern } from "tinyglobby";
import { isServiceInput, readServiceSources, type ServiceInputOptions, type ServiceSource } from "./service-inputs.js";

/** Every input read, ready for the generator. */
export interface LoadedInputs {
  /** The `.varlink` files read, absolute and sorted. */
  readonly files: string[];
  /** The inputs that named services (`unix:/run/x`, `unix:/run/x/org.example.more`), as written. */
  readonly services: string[];
  /** The files' texts (paths relative to `cwd`), then the services' descriptions. */
  readonly sources: SourceInput[];
  /** The descriptions that came from services, for `nameServiceOrigins`. */
  readonly served: ServiceSource[];
}

/**
 * Reads every input: files, directories and globs as {@link expandInputs} does, and services
 * (inputs such as `unix:/run/x` or `unix:/run/x/org.example.more`) through `readServiceSources`.
 *
 * @throws Error naming the input for a missing file, an empty glob, a failing service, or an
 *   interface that both a file and a service define.
 */
export async function loadInputs(
  inputs: readonly string[],
  cwd: string,
  options: ServiceInputOptions = {},
): Promise<LoadedInputs> {
  const services = [...new Set(inputs.filter((input) => isServiceInput(input, cwd)))];
  const [files, served] = await Promise.all([
    expandInputs(inputs.filter((input) => !services.includes(input)), cwd),
    services.length > 0 ? readServiceSources(services, options) : [],
  ]);
  const fileSources = await Promise.all(
    files.map(async (file) => ({ path: path.relative(cwd, file), source: await readFile(file, "utf8") })),
  );
  if (served.length > 0) checkServedOnce(fileSources, served);
  return { files, services, sources: [...fileSources, ...served], served };
}

/**
 * The generator would name both sources `INTERFACE.varlink` in its "defined twice" error; this
 * one says which file and which service. Files that do not parse are left to the generator.
 */
function checkServedOnce(files: readonly { path: string; source: string }[], served: readonly ServiceSource[]): void {
  const services = new Map(served.map((source) => [source.interfaceName, source.address]));
  for (const file of files) {
    let name: string;
    try {
      name = parseInterface(file.source, { file: file.path }).name;
    } catch {
      continue;
    }
    const address = services.get(name);
    if (address !== undefined) {
      throw new Error(`interface ${name} is defined twice: in ${file.path} and by the service at ${address}`);
    }
  }
}

/**
 * Expands the command's file inputs into `.varlink` files: a file stands for itself, a directory
 * for every `.varlink` file below it, and a glob is expanded here too, so a quoted pattern works the
 * same on every shell. The result is sorted and free of duplicates, so output is deterministic.
 *
 * @throws Error naming the input when a file or directory does not exist or a glob matches nothing.
 */
export async function expandInputs(inputs: readonly string[], cwd: string): Promise<string[]> {
  const files = new Set<string>();
  for (const input of inputs) {
    for (const file of await expandInput(input, cwd)) files.add(file);
  }
  return [...files].sort();
}

async function expandInput(input: string, cwd: string): Promise<string[]> {
  const absolute = path.resolve(cwd, input);
  const info = await stat(absolute).catch(() => undefined);
  if (info?.isFile()) return [absolute];
  if (info?.isDirectory()) {
    const found = await glob("**/*.varlink", { cwd: absolute, absolute: true, ignore: ["**/node_modules/**"] });
    if (found.length === 0) throw new Error(`${input}: no .varlink files in this directory`);
    return found.map((file) => path.normalize(file));
  }
  if (isDynamicPattern(input)) {
    const found = await glob(input, { cwd, absolute: true, onlyFiles: true });
    if (found.length === 0) throw new Error(`${input}: no files match this pattern`);
    return found.map((file) => path.normalize(file));
  }
  throw new Error(`${input}: no such file or directory`);
}
