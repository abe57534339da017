import { stat } from "node:fs/promises";
import path from "node:path";
import { glob, isDynamicPattern } from "tinyglobby";

/**
 * Expands the command's inputs into `.varlink` files: a file stands for itself, a directory for
 * every `.varlink` file below it, and a glob is expanded here too, so a quoted pattern works the
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
