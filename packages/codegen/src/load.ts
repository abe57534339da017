/**
 * Turning the inputs of `generate` into parsed interfaces: every input is parsed, so that one run
 * reports every file that does not parse, not just the first.
 */
import { basename } from "node:path";
import { parseInterface, VarlinkSyntaxError } from "@varlink-ts/runtime/idl";
import type { InterfaceDefinition } from "@varlink-ts/runtime/idl";

/** IDL text to generate from; `path` names the file in messages, the header and `@see` tags. */
export interface SourceInput {
  /** Where the text came from, e.g. `idl/org.example.more.varlink`. */
  readonly path?: string;
  /** The interface definition text. */
  readonly source: string;
}

/** One input of `generate`: IDL text, or an interface the runtime already parsed. */
export type GenerateInput = SourceInput | InterfaceDefinition;

/** A parsed input and the file name its module names as its source. */
export interface LoadedModule {
  readonly definition: InterfaceDefinition;
  /** The file's base name, so output does not depend on where the generator ran. */
  readonly sourceName: string;
}

/**
 * Parses every input and returns the modules by interface name.
 *
 * @throws `VarlinkSyntaxError` when one input does not parse; `AggregateError` holding one
 *   `VarlinkSyntaxError` per input when several do; `TypeError` when two inputs define the same
 *   interface.
 */
export function loadModules(inputs: readonly GenerateInput[]): Map<string, LoadedModule> {
  const modules = new Map<string, LoadedModule>();
  const failures: VarlinkSyntaxError[] = [];
  const twice: string[] = [];
  for (const input of inputs) {
    let module: LoadedModule;
    try {
      module = load(input);
    } catch (error) {
      if (!(error instanceof VarlinkSyntaxError)) throw error;
      failures.push(error);
      continue;
    }
    const { name } = module.definition;
    const earlier = modules.get(name);
    if (earlier !== undefined) {
      const where = `in ${earlier.sourceName} and in ${module.sourceName}`;
      twice.push(`interface ${name} is defined twice: ${where}`);
      continue;
    }
    modules.set(name, module);
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new AggregateError(failures, `${failures.length} interface definitions do not parse`);
  }
  // Reported after syntax errors: a file that does not parse may be the one meant to differ.
  if (twice.length > 0) throw new TypeError(twice[0]);
  return modules;
}

function load(input: GenerateInput): LoadedModule {
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

function sourceNameOf(path: string | undefined, interfaceName: string): string {
  return path === undefined ? `${interfaceName}.varlink` : basename(path);
}
