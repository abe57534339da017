/**
 * Bounds on the shape of an incoming message, checked on its text before it is parsed.
 *
 * `JSON.parse` takes time and memory per value, not per byte: 16 MiB of `[` costs it seconds and
 * hundreds of MiB, 16 MiB of `{},` as much, while 16 MiB of ordinary records costs a fraction of
 * that. A message within the size limit could therefore block every other connection of the
 * process for seconds. Counting on the text first bounds that cost to what a message of ordinary
 * shape has (about a quarter of a second for the worst allowed shape), and bounds the depth that
 * code walking the value recursively, a handler's included, may meet.
 */
import { ProtocolError } from "../errors.js";

/** The deepest nesting of arrays and objects a message may have, the message object included. */
export const MAX_MESSAGE_DEPTH = 1024;

/**
 * The most values and object keys a call may have, counted by the brackets, commas and colons
 * that introduce them: 2^19 = 524,288. A message of ordinary records this full is some 4 MiB.
 * Only calls are held to it: a service must not be stalled by one client, while a reply of many
 * values (a long list from a Go or systemd service) is what its client asked for.
 */
export const MAX_MESSAGE_ELEMENTS = 2 ** 19;

/** Which bounds a message is held to. */
export interface MessageShape {
  readonly maxDepth: number;
  readonly maxElements: number;
}

/** The bounds of a call a service receives: depth and elements. */
export const CALL_SHAPE: MessageShape = { maxDepth: MAX_MESSAGE_DEPTH, maxElements: MAX_MESSAGE_ELEMENTS };

/** The bounds of a reply a client receives: depth only. */
export const REPLY_SHAPE: MessageShape = { maxDepth: MAX_MESSAGE_DEPTH, maxElements: Number.POSITIVE_INFINITY };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** What a character means to the scan; everything else (0) is skipped. */
const OPENER = 1;
const CLOSER = 2;
const SEPARATOR = 3;
const STRING = 4;
const CLASSES = new Uint8Array(128);
CLASSES[0x5b] = OPENER; // [
CLASSES[0x7b] = OPENER; // {
CLASSES[0x5d] = CLOSER; // ]
CLASSES[0x7d] = CLOSER; // }
CLASSES[0x2c] = SEPARATOR; // ,
CLASSES[0x3a] = SEPARATOR; // :
CLASSES[QUOTE] = STRING;

/**
 * Refuses a message nested deeper than `shape.maxDepth` or holding more than `shape.maxElements`
 * values and keys. Text that is not JSON is left to the parser.
 * @throws ProtocolError naming the bound that was passed.
 */
export function checkMessageShape(text: string, shape: MessageShape = CALL_SHAPE): void {
  // Each level of nesting and each counted element takes a character of its own: short messages,
  // nearly all of them, cannot pass either bound and are not scanned.
  if (text.length <= shape.maxDepth) return;
  if (text.length <= shape.maxElements && !hasManyOpeners(text, shape.maxDepth)) return;
  scan(text, shape);
}

/** True when the text has more `[` and `{` than `limit`, strings included. */
function hasManyOpeners(text: string, limit: number): boolean {
  let count = 0;
  for (let i = text.indexOf("["); i !== -1; i = text.indexOf("[", i + 1)) {
    if (++count > limit) return true;
  }
  for (let i = text.indexOf("{"); i !== -1; i = text.indexOf("{", i + 1)) {
    if (++count > limit) return true;
  }
  return false;
}

function scan(text: string, shape: MessageShape): void {
  const { maxDepth, maxElements } = shape;
  const length = text.length;
  let depth = 0;
  let elements = 0;
  // Where the next backslash is, found once and reused: strings without escapes, nearly all of
  // them, are then skipped with one search for their closing quote.
  let nextEscape = -1;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    // One table lookup per character: most characters are letters and digits, skipped at once.
    const kind = code < 128 ? CLASSES[code] : 0;
    if (kind === 0) continue;
    if (kind === STRING) {
      const quote = text.indexOf('"', i + 1);
      if (quote === -1) return;
      if (nextEscape !== Infinity && nextEscape <= i) {
        nextEscape = text.indexOf("\\", i + 1);
        if (nextEscape === -1) nextEscape = Infinity;
      }
      i = nextEscape < quote ? escapedStringEnd(text, nextEscape) : quote;
      continue;
    }
    if (kind === OPENER) {
      if (++depth > maxDepth) {
        throw new ProtocolError(`message nests deeper than ${maxDepth} levels`);
      }
    } else if (kind === CLOSER) {
      depth--;
      continue;
    }
    if (++elements > maxElements) {
      throw new ProtocolError(`message has more than ${maxElements} values and keys`);
    }
  }
}

/** The index of the quote that ends a string, walked from the escape at `from`; or the text's end. */
function escapedStringEnd(text: string, from: number): number {
  const length = text.length;
  for (let i = from; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === BACKSLASH) i++;
    else if (code === QUOTE) return i;
  }
  return length;
}
