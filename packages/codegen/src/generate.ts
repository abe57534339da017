/**
 * The entry points: plan what the inputs generate (cheap: parse, check, hash), then emit one
 * module per interface and the index. ts-morph and prettier are imported only when something is
 * emitted, so a run that finds its output current never loads them.
 */
import { assignSelectors, NO_BIGINT, resolveSelection } from "./bigint.js";
import type { BigintSelection } from "./bigint.js";
import { generatorIdentity } from "./identity.js";
import { loadModules } from "./load.js";
import type { GenerateInput, LoadedModule } from "./load.js";
import { resolveOptions } from "./options.js";
import type { GenerateOptions, ResolvedOptions } from "./options.js";
import { inputHash, stampFile } from "./stamp.js";

export type { GenerateInput, SourceInput } from "./load.js";

/** A file {@link generate} produced. */
export interface GeneratedFile {
  /** Relative to the output directory: `org.example.more.ts`, `index.ts`. */
  readonly path: string;
  /** The formatted TypeScript. */
  readonly content: string;
}

/** A file a {@link GenerationPlan} will generate, and the input hash its header will carry. */
export interface PlannedFile {
  /** Relative to the output directory, as in {@link GeneratedFile}. */
  readonly path: string;
  /** Pass it to {@link isCurrent} with a file's text to learn whether generating it again is needed. */
  readonly inputHash: string;
}

/** The inputs parsed and checked, ready to generate from. */
export interface GenerationPlan {
  /** The interfaces, sorted by name. */
  readonly interfaces: readonly string[];
  /** Every file {@link GenerationPlan.generate} can produce, in its order: `index.ts` last. */
  readonly files: readonly PlannedFile[];
  /**
   * Generates the files whose paths are in `only` (every planned file when absent), in the
   * order of {@link GenerationPlan.files}; each is what {@link generate} gives for it.
   */
  generate(only?: Iterable<string>): Promise<GeneratedFile[]>;
}

/**
 * Parses and checks the inputs and works out which files they generate, with the input hash of
 * each, without generating anything: with {@link isCurrent}, a caller can skip the work when
 * the files on disk are current.
 *
 * @throws as {@link generate} does.
 */
export function planGeneration(
  inputs: readonly GenerateInput[],
  options: GenerateOptions = {},
): GenerationPlan {
  const resolved = resolveOptions(options);
  const modules = loadModules(inputs);
  // Every selector is checked before anything is emitted.
  const bigint = new Map<string, BigintSelection>();
  for (const [name, selectors] of assignSelectors(resolved.bigint, modules.keys())) {
    const module = modules.get(name);
    if (module !== undefined) bigint.set(name, resolveSelection(module.definition, selectors));
  }
  const names = [...modules.keys()].sort(compareStrings);
  const identity = generatorIdentity();
  // Exactly what shapes a module (the import extension shapes only the index): an option
  // that changes no output must not change the hash, or the file would count as stale.
  const shared = { emit: [...resolved.emit].sort(compareStrings), runtime: resolved.runtimeModule };
  const files: PlannedFile[] = names.map((name) => {
    const { definition, sourceName } = modules.get(name) as LoadedModule;
    // The selection's canonical form: selectors that select the same fields hash the same.
    const selected = bigint.get(name)?.descriptor ?? null;
    const hash = inputHash([identity, shared, selected, sourceName, definition.source]);
    return { path: `${name}.ts`, inputHash: hash };
  });
  if (resolved.index) {
    const hash = inputHash([identity, "index.ts", resolved.importExtension, names]);
    files.push({ path: "index.ts", inputHash: hash });
  }
  return {
    interfaces: names,
    files,
    generate: (only) => emitFiles(files, only, modules, resolved, (name) => bigint.get(name)),
  };
}

/**
 * Generates one TypeScript module per interface (named `<interface>.ts`) and an `index.ts`
 * re-exporting each as a namespace, sorted by path. The output depends only on the inputs and
 * the options. Each file's second line holds the hashes {@link isCurrent} checks.
 *
 * @param inputs - IDL texts (parsed with the runtime's `parseInterface`) or parsed definitions.
 * @param options - What to emit and how to write imports; see {@link GenerateOptions}.
 * @returns The files, `index.ts` last.
 * @throws `VarlinkSyntaxError` when an input does not parse, or `AggregateError` holding one per
 *   input when several do; `TypeError` when two inputs define the same interface, an option is
 *   invalid, or a `bigint` selector names no interface among the inputs, no member, no field,
 *   or a field without an `int`.
 */
export async function generate(
  inputs: readonly GenerateInput[],
  options: GenerateOptions = {},
): Promise<GeneratedFile[]> {
  return planGeneration(inputs, options).generate();
}

async function emitFiles(
  planned: readonly PlannedFile[],
  only: Iterable<string> | undefined,
  modules: ReadonlyMap<string, LoadedModule>,
  options: ResolvedOptions,
  bigintOf: (name: string) => BigintSelection | undefined,
): Promise<GeneratedFile[]> {
  const wanted = only === undefined ? undefined : new Set(only);
  const chosen = planned.filter((file) => wanted === undefined || wanted.has(file.path));
  if (chosen.length === 0) return [];
  // The expensive part, loaded on first use.
  const [{ createProject, emitModule }, { emitIndex }] = await Promise.all([
    import("./emit-module.js"),
    import("./emit-index.js"),
  ]);
  const project = createProject();
  const files: GeneratedFile[] = [];
  for (const file of chosen) {
    const name = file.path.slice(0, -".ts".length);
    const module = modules.get(name);
    const content =
      module === undefined
        ? await emitIndex(project, [...modules.keys()].sort(compareStrings), options)
        : await emitModule(
            project,
            module.definition,
            module.sourceName,
            options,
            bigintOf(name) ?? NO_BIGINT,
          );
    files.push({ path: file.path, content: stampFile(content, file.inputHash) });
  }
  return files;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
