/**
 * The text of members of a JSON object, cut out of the object's text as written.
 *
 * A reply's parameters go to the HTTP client exactly as the service wrote them: parsing and
 * serializing them again would round integers beyond 2^53 (a 64-bit `int` such as 2^63 − 1) and
 * change numbers such as `1.0` or `1e400`. The WebSocket relay reads a message's flags this way
 * too, rather than parsing a message of up to 16 MiB into objects only to look at two keys.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

/**
 * The text of the value of `key` in the JSON object `json`, or undefined when it has no such
 * member. When the key occurs more than once the last one counts, as with `JSON.parse`.
 * `json` must be valid JSON whose top level is an object.
 */
export function memberText(json: string, key: string): string | undefined {
  return memberTexts(json, new Set([key])).get(key);
}

/**
 * The texts of the values of the top-level members named in `keys`, by key (the last one of a
 * repeated key). Linear in the length of `json`, and nothing but the wanted values is copied.
 *
 * On text that is not JSON it returns something or throws a SyntaxError, and always ends: the
 * WebSocket relay reads messages it has not parsed with it, and only needs the right answer for
 * messages that are JSON (the peers judge the others).
 * @throws SyntaxError when the text does not begin with an object, or ends inside one.
 */
export function memberTexts(json: string, keys: ReadonlySet<string>): Map<string, string> {
  const found = new Map<string, string>();
  let i = skipWhitespace(json, 0);
  if (json.charCodeAt(i) !== LBRACE) throw new SyntaxError("not a JSON object");
  i = skipWhitespace(json, i + 1);
  while (json.charCodeAt(i) !== RBRACE) {
    if (i >= json.length) throw new SyntaxError("unterminated object");
    if (json.charCodeAt(i) !== QUOTE) throw new SyntaxError("expected a key");
    const keyEnd = stringEnd(json, i);
    const raw = json.slice(i + 1, keyEnd - 1);
    // Keys are nearly never escaped; an escaped one is decoded to be compared.
    const name = raw.includes("\\") ? (JSON.parse(json.slice(i, keyEnd)) as string) : raw;
    i = skipWhitespace(json, keyEnd);
    if (json.charCodeAt(i) !== COLON) throw new SyntaxError("expected a colon after a key");
    const start = skipWhitespace(json, i + 1);
    const end = valueEnd(json, start);
    if (keys.has(name)) found.set(name, json.slice(start, end));
    i = skipWhitespace(json, end);
    if (json.charCodeAt(i) === COMMA) i = skipWhitespace(json, i + 1);
  }
  return found;
}

function skipWhitespace(json: string, from: number): number {
  let i = from;
  for (;;) {
    const c = json.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return i;
    i++;
  }
}

/** The index just past the string whose opening quote is at `start`. */
function stringEnd(json: string, start: number): number {
  let from = start + 1;
  for (;;) {
    const quote = json.indexOf('"', from);
    if (quote === -1) throw new SyntaxError("unterminated string");
    // The quote is escaped when an odd number of backslashes stands right before it.
    let backslashes = 0;
    while (json.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

/** The index just past the value that starts at `start`. */
function valueEnd(json: string, start: number): number {
  const first = json.charCodeAt(start);
  if (first === QUOTE) return stringEnd(json, start);
  if (first !== LBRACE && first !== LBRACKET) {
    // A number, true, false or null: it runs to the next delimiter.
    let i = start;
    for (;;) {
      const c = json.charCodeAt(i);
      if (Number.isNaN(c) || c === COMMA || c === RBRACE || c === RBRACKET || c <= 0x20) return i;
      i++;
    }
  }
  let depth = 0;
  for (let i = start; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(json, i) - 1;
    } else if (c === LBRACE || c === LBRACKET) {
      depth++;
    } else if (c === RBRACE || c === RBRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new SyntaxError("unterminated object or array");
}
