/**
 * Reading and writing the interface files named on the command line, with failures turned into
 * one clear line instead of a stack trace.
 */
import { readFile, writeFile } from "node:fs/promises";
import type { CommandContext } from "./context.js";
import { reportProblem } from "./diagnostics.js";

/** The name under which standard input is read (`-` on the command line). */
export const STDIN_NAME = "<stdin>";

const REASONS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a directory",
  ENOTDIR: "a component of the path is not a directory",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
};

function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && REASONS[code] !== undefined) {
    return REASONS[code];
  }
  return error instanceof Error ? error.message : String(error);
}

/** Everything a stream delivers until it ends, as UTF-8 text (standard input, mostly). */
export async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The text of `path` (`-` reads standard input), or `undefined` after reporting why it could not
 * be read.
 */
export async function readInput(
  context: CommandContext,
  path: string,
): Promise<string | undefined> {
  try {
    return path === "-" ? await readStream(context.stdin) : await readFile(path, "utf8");
  } catch (error) {
    reportProblem(context, `cannot read ${path}: ${describeFailure(error)}`);
    return undefined;
  }
}

/** The file name to show for `path` in messages. */
export function displayName(path: string): string {
  return path === "-" ? STDIN_NAME : path;
}

/** Writes `text` to `path`; false after reporting why it could not. */
export async function writeOutput(
  context: CommandContext,
  path: string,
  text: string,
): Promise<boolean> {
  try {
    await writeFile(path, text, "utf8");
    return true;
  } catch (error) {
    reportProblem(context, `cannot write ${path}: ${describeFailure(error)}`);
    return false;
  }
}
