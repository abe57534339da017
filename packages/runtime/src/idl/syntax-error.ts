/**
 * The one error the IDL parser throws: where the problem is, what is wrong, and the source line
 * with a caret under the spot.
 */
import type { SourcePosition } from "./model.js";

/** Where a {@link VarlinkSyntaxError} points: the text that was parsed and a place in it. */
export interface SyntaxErrorLocation {
  /** The whole text that was parsed; the frame is cut from it. */
  readonly source: string;
  /** The place the error points at. */
  readonly position: SourcePosition;
  /** The file name for the message; `undefined` when the text did not come from a file. */
  readonly file?: string | undefined;
}

/**
 * A varlink interface definition that does not parse or does not pass the checks.
 *
 * `message` is `FILE:LINE:COL: reason` (`<input>` stands for the file when there is none), the
 * form editors and terminals turn into links; `frame` is the offending source line with a caret
 * line under the column, ready to print below the message.
 */
export class VarlinkSyntaxError extends Error {
  /** The file name given to the parser, or `undefined` for a string without one. */
  readonly file: string | undefined;
  /** Line of the problem, from 1. */
  readonly line: number;
  /** Column of the problem, from 1, in UTF-16 code units like the model's positions. */
  readonly column: number;
  /** What was expected or what is wrong, without the location. */
  readonly reason: string;
  /** The source line, a newline, and a caret line pointing at the column. */
  readonly frame: string;

  constructor(reason: string, location: SyntaxErrorLocation) {
    const { file, position } = location;
    super(`${file ?? "<input>"}:${position.line}:${position.column}: ${reason}`);
    this.name = "VarlinkSyntaxError";
    this.file = file;
    this.line = position.line;
    this.column = position.column;
    this.reason = reason;
    this.frame = codeFrame(location.source, position.offset);
  }
}

/**
 * The line of `source` holding `offset`, then a line with a caret under it. Characters before the
 * caret become spaces, except tabs, which stay tabs so the caret lines up however wide the
 * terminal draws them.
 */
export function codeFrame(source: string, offset: number): string {
  const at = Math.max(0, Math.min(offset, source.length));
  let start = source.lastIndexOf("\n", at - 1) + 1;
  // A byte order mark is not part of what an editor shows on the first line.
  if (start === 0 && source.charCodeAt(0) === 0xfeff) {
    start = 1;
  }
  let end = source.indexOf("\n", at);
  if (end === -1) {
    end = source.length;
  }
  const text = source.slice(start, end).replace(/\r$/, "");
  let pad = "";
  for (const char of source.slice(start, Math.max(start, at))) {
    pad += char === "\t" ? "\t" : " ";
  }
  return `${text}\n${pad}^`;
}
