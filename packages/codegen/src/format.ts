/**
 * Formatting with prettier, with fixed options so the output never depends on a configuration
 * file found near wherever the generator runs, in time linear in the size of the module.
 */
import { format } from "prettier";

/** The prettier options generated code is printed with. */
const PRETTIER_OPTIONS = {
  parser: "typescript",
  printWidth: 100,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: false,
  trailingComma: "all",
  bracketSpacing: true,
  arrowParens: "always",
  endOfLine: "lf",
} as const;

/**
 * Top-level statements formatted per prettier call. Prettier's TypeScript parser searches the
 * whole file for the token after each `export` keyword, so one call costs time quadratic in the
 * number of exported statements (8,000 of them took seconds); pieces of this many keep that
 * cost small and linear in all.
 */
export const STATEMENTS_PER_CALL = 64;

/** What {@link formatTypeScript} needs besides the text. */
export interface FormatOptions {
  /**
   * The file's name, e.g. `org.example.more.ts`. Without a `.ts` name prettier guesses whether
   * the text is JSX with a regular expression that scans from every line start to the next
   * quote, quadratic in the lines of a long template literal such as `interfaceDescription`.
   */
  readonly filepath: string;
  /** Offsets in the text where top-level statements end; the text is split only there. */
  readonly statementEnds?: readonly number[];
  /** Statements per prettier call; {@link STATEMENTS_PER_CALL} by default. */
  readonly statementsPerCall?: number;
}

/**
 * Formats TypeScript source as the generator's output. The text is formatted in pieces of
 * whole top-level statements, which gives what formatting it in one piece gives: prettier
 * formats each top-level statement on its own, and between two of them keeps one blank line
 * when the text had one, which is put back here where pieces meet.
 */
export async function formatTypeScript(source: string, options: FormatOptions): Promise<string> {
  const prettierOptions = { ...PRETTIER_OPTIONS, filepath: options.filepath };
  const pieces = splitStatements(
    source,
    options.statementEnds ?? [],
    options.statementsPerCall ?? STATEMENTS_PER_CALL,
  );
  let formatted = "";
  for (const piece of pieces) {
    if (piece.blankLineBefore) formatted += "\n";
    formatted += await format(piece.text, prettierOptions);
  }
  return formatted;
}

interface Piece {
  readonly text: string;
  /** Whether the line before this piece in the source was blank. */
  readonly blankLineBefore: boolean;
}

/**
 * Cuts `source` after every `size`th statement end that is followed by nothing but the end of
 * its line. A statement with a comment after it on the same line is not cut after, because
 * prettier would keep that comment with it.
 */
function splitStatements(source: string, ends: readonly number[], size: number): Piece[] {
  const pieces: Piece[] = [];
  let start = 0;
  let blankLineBefore = false;
  let count = 0;
  // Never after the last statement: what follows it is no statement to format on its own.
  for (const end of ends.slice(0, -1)) {
    if (++count < size) continue;
    const cut = lineEndAfter(source, end);
    if (cut === undefined) continue;
    pieces.push({ text: source.slice(start, cut), blankLineBefore });
    // Prettier's rule for keeping a blank line after a statement: the next line is empty.
    blankLineBefore = /^[ \t]*\r?\n/.test(source.slice(cut, cut + 256));
    start = cut;
    count = 0;
  }
  if (start < source.length || pieces.length === 0) {
    pieces.push({ text: source.slice(start), blankLineBefore });
  }
  return pieces;
}

/**
 * The offset after the newline that ends the line `end` is on, when only blanks and the `;` or
 * `,` prettier skips stand between; else `undefined`.
 */
function lineEndAfter(source: string, end: number): number | undefined {
  const rest = /^[ \t;,]*\r?\n/.exec(source.slice(end, end + 256));
  if (rest === null) return undefined;
  return end + rest[0].length;
}
