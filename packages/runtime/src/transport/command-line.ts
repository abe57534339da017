/**
 * The command lines of `ssh-exec:` addresses, split into words the way systemd splits them, and
 * written back so that they split into the same words.
 *
 * systemd's `varlink_connect_ssh_exec()` (src/libsystemd/sd-varlink/sd-varlink.c) splits the
 * command with `strv_split_full(..., EXTRACT_CUNESCAPE|EXTRACT_UNQUOTE)`: words are separated by
 * blanks (space, tab, newline, carriage return); `'...'` and `"..."` quote, and a backslash starts
 * a C escape both inside and outside quotes (`extract_first_word()` in src/basic/extract-word.c,
 * `cunescape_one()` in src/basic/escape.c). Unbalanced quotes, a trailing backslash and unknown or
 * NUL-producing escapes make it refuse the whole command line, and so do we.
 */

const BLANKS = " \t\n\r";

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  v: 0x0b,
  "\\": 0x5c,
  '"': 0x22,
  "'": 0x27,
  // systemd's extension of the C escapes (from the XDG desktop file syntax).
  s: 0x20,
};

/** Collects a word as bytes: `\x` and octal escapes give raw bytes, not code points. */
class WordBytes {
  private readonly bytes: number[] = [];
  /** Text not yet encoded, so that the halves of a surrogate pair are encoded together. */
  private pending = "";
  addText(text: string): void {
    this.pending += text;
  }
  addByte(byte: number): void {
    this.flush();
    this.bytes.push(byte);
  }
  toString(): string {
    this.flush();
    // Strings here are JavaScript strings: bytes that are not UTF-8 could not reach ssh intact.
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(this.bytes));
  }
  private flush(): void {
    for (const byte of Buffer.from(this.pending, "utf8")) this.bytes.push(byte);
    this.pending = "";
  }
}

/**
 * One C escape at `text[at]` (just after the backslash), as systemd's `cunescape_one()` reads it.
 * @returns how many characters it took, or undefined when systemd would refuse it.
 */
function unescapeOne(text: string, at: number, word: WordBytes): number | undefined {
  const char = text[at];
  if (char === undefined) return undefined;
  const simple = SIMPLE_ESCAPES[char];
  if (simple !== undefined) {
    word.addByte(simple);
    return 1;
  }
  const hex = (length: number): number | undefined => {
    const digits = text.slice(at + 1, at + 1 + length);
    return digits.length === length && /^[0-9a-fA-F]+$/.test(digits)
      ? Number.parseInt(digits, 16)
      : undefined;
  };
  if (char === "x") {
    const value = hex(2);
    if (value === undefined || value === 0) return undefined;
    word.addByte(value);
    return 3;
  }
  if (char === "u" || char === "U") {
    const value = hex(char === "u" ? 4 : 8);
    // NUL, surrogates and values past Unicode cannot be a character of an argument.
    if (value === undefined || value === 0 || value > 0x10ffff) return undefined;
    if (value >= 0xd800 && value <= 0xdfff) return undefined;
    word.addText(String.fromCodePoint(value));
    return char === "u" ? 5 : 9;
  }
  const octal = text.slice(at, at + 3);
  if (/^[0-7]{3}$/.test(octal)) {
    const value = Number.parseInt(octal, 8);
    if (value === 0 || value > 0xff) return undefined;
    word.addByte(value);
    return 3;
  }
  return undefined;
}

/**
 * Splits a command line into words as systemd does for `ssh-exec:`.
 * @throws Error whose message says what is wrong (the caller names the address).
 */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let at = 0;
  for (;;) {
    while (at < text.length && BLANKS.includes(text[at] as string)) at += 1;
    if (at >= text.length) return words;
    const word = new WordBytes();
    let quote: string | undefined;
    while (at < text.length) {
      const char = text[at] as string;
      if (char === "\\") {
        const taken = unescapeOne(text, at + 1, word);
        if (taken === undefined) {
          throw new Error(`the command line has an invalid escape at "${text.slice(at, at + 4)}"`);
        }
        at += 1 + taken;
      } else if (quote !== undefined) {
        if (char === quote) quote = undefined;
        else word.addText(char);
        at += 1;
      } else if (char === "'" || char === '"') {
        quote = char;
        at += 1;
      } else if (BLANKS.includes(char)) {
        break;
      } else {
        word.addText(char);
        at += 1;
      }
    }
    if (quote !== undefined) throw new Error(`the command line has an unclosed ${quote}`);
    try {
      words.push(word.toString());
    } catch {
      throw new Error("the command line's escapes make bytes that are not UTF-8");
    }
  }
}

/** Words that need no quotes: no blanks, quotes, backslashes, nor the `;?#` systemd refuses. */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Writes words as a command line that `splitCommandLine` turns back into them. Characters systemd
 * refuses in an address (`;`, `?`, `#`) and control characters are written as `\xHH` escapes.
 */
export function joinCommandLine(words: readonly string[]): string {
  return words
    .map((word) => {
      if (PLAIN_WORD.test(word)) return word;
      const escaped = word.replace(/[\\";?#\u0000-\u001f\u007f]/g, (char) => {
        if (char === "\\" || char === '"') return `\\${char}`;
        return `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`;
      });
      return `"${escaped}"`;
    })
    .join(" ");
}
