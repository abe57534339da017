/**
 * The entry point: parse the inputs, emit one module per interface and the index.
 */
import { basename } from "node:path";
import { parseInterface } from "@varlink-ts/runtime/idl";
import type { InterfaceDefinition } from "@varlink-ts/runtime/idl";
import { assignSelectors, NO_BIGINT, resolveSelection } from "./bigint.js";
import type { BigintSelection } from "./bigint.js";
import { emitIndex } from "./emit-index.js";
import { createProject, emitModule } from "./emit-module.js";
import { resolveOptions } from "./options.js";
import type { GenerateOptions } from "./options.js";

/** IDL text to generate from; `path` names the file in messages, the header and `@see` tags. */
export interface SourceInput {
  /** Where the text came from, e.g. `idl/org.example.more.varlink`. */
  readonly path?: string;
  /** The interface definition text. */
  readonly source: string;
}

/** One input of {@link generate}: IDL text, or an interface the runtime already parsed. */
export type GenerateInput = SourceInput | InterfaceDefinition;

/** A file {@link generate} produced. */
export interface GeneratedFile {
  /** Relative to the output directory: `org.example.more.ts`, `index.ts`. */
  readonly path: string;
  /** The formatted TypeScript. */
  readonly content: string;
}

/**
 * Generates one TypeScript module per interface (named `<interface>.ts`) and an `index.ts`
 * re-exporting each as a namespace, sorted by path. The output depends only on the inputs and
 * the options.
 *
 * @param inputs - IDL texts (parsed with the runtime's `parseInterface`) or parsed definitions.
 * @param options - What to emit and how to write imports; see {@link GenerateOptions}.
 * @returns The files, `index.ts` last.
 * @throws `VarlinkSyntaxError` when an input does not parse; `TypeError` when two inputs define
 *   the same interface, an option is invalid, or a `bigint` selector names no interface among
 *   the inputs, no member, no field, or a field without an `int`.
 */
export async function generate(
  inputs: readonly GenerateInput[],
  options: GenerateOptions = {},
): Promise<GeneratedFile[]> {
  const resolved = resolveOptions(options);
  const modules = new Map<string, { definition: InterfaceDefinition; sourceName: string }>();
  for (const input of inputs) {
    const { definition, sourceName } = load(input);
    const earlier = modules.get(definition.name);
    if (earlier !== undefined) {
      throw new TypeError(
        `interface ${definition.name} is defined twice: in ${earlier.sourceName} and in ${sourceName}`,
      );
    }
    modules.set(definition.name, { definition, sourceName });
  }
  // Every selector is checked before anything is emitted.
  const bigint = new Map<string, BigintSelection>();
  for (const [name, selectors] of assignSelectors(resolved.bigint, modules.keys())) {
    const module = modules.get(name);
    if (module !== undefined) bigint.set(name, resolveSelection(module.definition, selectors));
  }

  const project = createProject();
  const names = [...modules.keys()].sort(compareStrings);
  const files: GeneratedFile[] = [];
  for (const name of names) {
    const module = modules.get(name);
    if (module === undefined) continue;
    files.push({
      path: `${name}.ts`,
      content: await emitModule(
        project,
        module.definition,
        module.sourceName,
        resolved,
        bigint.get(name) ?? NO_BIGINT,
      ),
    });
  }
  if (resolved.index) {
    files.push({ path: "index.ts", content: await emitIndex(project, names, resolved) });
  }
  return files;
}

function load(input: GenerateInput): { definition: InterfaceDefinition; sourceName: string } {
  if (isDefinition(input)) {
    return { definition: input, sourceName: sourceNameOf(input.file, input.name) };
  }
  const definition =
    input.path === undefined
      ? parseInterface(input.source)
      : parseInterface(input.source, { file: input.path });
  return { definition, sourceName: sourceNameOf(input.path, definition.name) };
}

function isDefinition(input: GenerateInput): input is InterfaceDefinition {
  return "members" in input;
}

/** The file's base name, so output does not depend on where the generator ran. */
function sourceNameOf(path: string | undefined, interfaceName: string): string {
  return path === undefined ? `${interfaceName}.varlink` : basename(path);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
