/**
 * What built declaration files export, read with the TypeScript compiler. One program holds every
 * file asked about (a module's exports do not depend on the other roots), so that the compiler
 * reads the runtime's declarations once for all the tests of a worker. Imported on its own, as
 * `@varlink-ts/test-kit/declarations`, so that other tests do not load TypeScript.
 */
import ts from "typescript";

const OPTIONS: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext };

let roots: string[] = [];
let program: ts.Program | undefined;

/** The names the declaration file `file` (a .d.ts path) exports, types included, sorted. */
export function exportedNames(file: string): string[] {
  return exportedNamesOfEach([file])[0]!;
}

/**
 * {@link exportedNames} of each of `files`. Asking for them together builds one program and one
 * type checker for all (each new root would otherwise cost a fresh type checker).
 */
export function exportedNamesOfEach(files: readonly string[]): string[][] {
  const missing = files.filter((file) => !roots.includes(file));
  if (program === undefined || missing.length > 0) {
    roots = [...roots, ...missing];
    program = ts.createProgram(roots, OPTIONS, undefined, program);
  }
  const current = program;
  const checker = current.getTypeChecker();
  return files.map((file) => {
    const source = current.getSourceFile(file);
    const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (symbol === undefined) throw new Error(`${file} has no module symbol`);
    return checker.getExportsOfModule(symbol).map((exported) => exported.name).sort();
  });
}
