/**
 * Splits IDL text into tokens on demand. Each token carries the comments and blank lines that
 * came before it, so the parser can decide which comments document what.
 */
import type { SourcePosition } from "./model.js";
import { VarlinkSyntaxError } from "./syntax-error.js";

/** Kinds of token; punctuation is its own text. */
export type TokenKind = "word" | "(" | ")" | "," | ":" | "?" | "[" | "]" | "->" | "eof";

/** A `#` comment or a blank line met between two tokens. */
export type Trivia =
  | {
      readonly kind: "comment";
      /** The text after `#` and one optional space, trailing whitespace removed. */
      readonly text: string;
      readonly line: number;
      /** True when a token stands before the comment on the same line. */
      readonly trailing: boolean;
    }
  | { readonly kind: "blank" };

/** One token, with the trivia that precedes it. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly position: SourcePosition;
  /** Just after the token's last character. */
  readonly end: SourcePosition;
  readonly trivia: readonly Trivia[];
}

/**
 * `normal` reads words as `[A-Za-z0-9_]+`; `interface-name` reads one run of anything that is not
 * whitespace, punctuation or a comment, so a bad interface name is reported whole.
 */
export type ScanMode = "normal" | "interface-name";

const PUNCTUATION = new Set(["(", ")", ",", ":", "?", "[", "]"]);
const NAME_STOP = /[\s#(),:?[\]]/;

function isWordChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x5f
  );
}

/** Shows a character in an error message: printable ones quoted, others as `U+XXXX`. */
function describeChar(source: string, offset: number): string {
  const code = source.codePointAt(offset) ?? 0;
  if (code < 0x21 || (code >= 0x7f && code <= 0xa0) || code === 0xfeff) {
    return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  }
  return `'${String.fromCodePoint(code)}'`;
}

/** A single pass over the source, one token per {@link Lexer.scan} call. */
export class Lexer {
  private offset = 0;
  private line = 1;
  private lineStart = 0;
  /** Whether the current line has shown a token or comment yet (else a newline ends a blank line). */
  private lineHasContent = false;
  private lastTokenLine = 0;

  constructor(
    private readonly source: string,
    private readonly file: string | undefined,
  ) {
    if (source.charCodeAt(0) === 0xfeff) {
      this.offset = 1;
      this.lineStart = 1;
    }
  }

  /** The position of the next unread character. */
  here(): SourcePosition {
    return { line: this.line, column: this.offset - this.lineStart + 1, offset: this.offset };
  }

  /** Reads the trivia and then the token that follow. */
  scan(mode: ScanMode): Token {
    const trivia = this.skipTrivia();
    const source = this.source;
    const start = this.here();
    if (this.offset >= source.length) {
      return { kind: "eof", text: "", position: start, end: start, trivia };
    }
    const char = source[this.offset] ?? "";
    let kind: TokenKind;
    if (mode === "interface-name" && !NAME_STOP.test(char)) {
      let end = this.offset;
      while (end < source.length && !NAME_STOP.test(source[end] ?? "")) {
        end++;
      }
      this.offset = end;
      kind = "word";
    } else if (isWordChar(source.charCodeAt(this.offset))) {
      let end = this.offset + 1;
      while (end < source.length && isWordChar(source.charCodeAt(end))) {
        end++;
      }
      this.offset = end;
      kind = "word";
    } else if (PUNCTUATION.has(char)) {
      this.offset++;
      kind = char as TokenKind;
    } else if (char === "-" && source[this.offset + 1] === ">") {
      this.offset += 2;
      kind = "->";
    } else if (char === "-") {
      throw new VarlinkSyntaxError("expected '->'", { source, position: start, file: this.file });
    } else {
      throw new VarlinkSyntaxError(`unexpected character ${describeChar(source, this.offset)}`, {
        source,
        position: start,
        file: this.file,
      });
    }
    this.lineHasContent = true;
    this.lastTokenLine = this.line;
    const text = source.slice(start.offset, this.offset);
    return { kind, text, position: start, end: this.here(), trivia };
  }

  private skipTrivia(): Trivia[] {
    const trivia: Trivia[] = [];
    const source = this.source;
    while (this.offset < source.length) {
      const code = source.charCodeAt(this.offset);
      if (code === 0x0a) {
        if (!this.lineHasContent) {
          trivia.push({ kind: "blank" });
        }
        this.offset++;
        this.line++;
        this.lineStart = this.offset;
        this.lineHasContent = false;
      } else if (
        code === 0x20 ||
        code === 0x09 ||
        code === 0x0d ||
        code === 0x0b ||
        code === 0x0c
      ) {
        this.offset++;
      } else if (code === 0x23) {
        let end = source.indexOf("\n", this.offset);
        if (end === -1) {
          end = source.length;
        }
        let text = source.slice(this.offset + 1, end);
        if (text.startsWith(" ")) {
          text = text.slice(1);
        }
        trivia.push({
          kind: "comment",
          text: text.trimEnd(),
          line: this.line,
          trailing: this.lastTokenLine === this.line,
        });
        this.lineHasContent = true;
        this.offset = end;
      } else {
        break;
      }
    }
    return trivia;
  }
}
