/**
 * NUL framing: every varlink message is one JSON object followed by one `\0` byte.
 *
 * The reader is fed whatever chunks the socket delivers and hands back the text of whole
 * messages. It scans each byte once and decodes a message spanning chunks as they come, so a
 * message of any size costs linear time and is held once, as text; and it never reads past a
 * message it was not asked for, which `upgrade` needs.
 */
import { ProtocolError } from "../errors.js";
import { concatBytes, copyBytes, decodeUtf8, EMPTY_BYTES, encodeUtf8 } from "./bytes.js";
import { parseJson } from "./parse-json.js";
import { CALL_SHAPE, checkMessageShape, type MessageShape } from "./message-shape.js";
import type { Frame } from "./serialize.js";

/** The default largest message, in bytes, that a reader accepts: 16 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

/**
 * Bytes of a message spanning chunks that are decoded together: one socket read. Decoding each
 * read as it comes lets its chunk go at once. (Larger batches, whose text V8 puts in its
 * large-object space, measured slower and with a higher peak in the bench.)
 */
const DECODE_BATCH = 64 * 1024;

/** Splits a byte stream into NUL-terminated messages, each handed back as its text. */
export class MessageReader {
  readonly maxMessageSize: number;
  /**
   * Chunks not yet scanned, from `head` on (an index rather than shift(), so that a flood of tiny
   * chunks costs linear time); the first is read from `offset`.
   */
  private queue: Uint8Array[] = [];
  private head = 0;
  private offset = 0;
  /** Bytes in the queue not yet scanned: kept as chunks come and go, never summed. */
  private queuedBytes = 0;
  /** Bytes pushed since the reader was made: with `pendingBytes`, where the next message starts. */
  private pushedBytes = 0;
  /** The text so far of a message whose NUL has not arrived, decoded as its chunks came. */
  private partial = "";
  /** That message's size so far in bytes, `held` included. */
  private partialLength = 0;
  /** Its bytes not decoded yet. */
  private held: Uint8Array[] = [];
  private heldLength = 0;

  constructor(maxMessageSize: number = DEFAULT_MAX_MESSAGE_SIZE) {
    this.maxMessageSize = maxMessageSize;
  }

  /** Adds bytes received from the peer. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    this.pushedBytes += chunk.length;
  }

  /**
   * The text of the next whole message without its NUL, or undefined until more bytes arrive.
   * @throws ProtocolError when a message grows past `maxMessageSize` or is not valid UTF-8.
   */
  read(): string | undefined {
    for (;;) {
      const chunk = this.queue[this.head];
      if (chunk === undefined) return undefined;
      const end = chunk.indexOf(0, this.offset);
      if (end === -1) {
        this.queuedBytes -= chunk.length - this.offset;
        this.keepPartial(chunk.subarray(this.offset), false);
        this.dropHead();
        continue;
      }
      const piece = chunk.subarray(this.offset, end);
      this.queuedBytes -= end + 1 - this.offset;
      this.offset = end + 1;
      if (this.offset >= chunk.length) this.dropHead();
      if (this.partialLength === 0) {
        this.checkSize(piece.length);
        return decodeUtf8(piece);
      }
      this.keepPartial(piece, true);
      const message = this.partial;
      this.partial = "";
      this.partialLength = 0;
      return message;
    }
  }

  /**
   * Takes every byte received after the last message read, and empties the reader. After an
   * `upgrade` these bytes belong to the new protocol.
   */
  takeRest(): Uint8Array {
    // Decoded text goes back to the very bytes it came from: it was checked to be UTF-8.
    const pieces: Uint8Array[] = this.partial === "" ? [] : [encodeUtf8(this.partial)];
    for (const bytes of this.held) pieces.push(bytes);
    for (let index = this.head; index < this.queue.length; index++) {
      const chunk = this.queue[index]!;
      pieces.push(index === this.head ? chunk.subarray(this.offset) : chunk);
    }
    this.queue = [];
    this.head = 0;
    this.offset = 0;
    this.queuedBytes = 0;
    this.partial = "";
    this.partialLength = 0;
    this.held = [];
    this.heldLength = 0;
    return pieces.length === 0 ? EMPTY_BYTES : concatBytes(pieces);
  }

  /** Bytes held for a message that has not ended yet. */
  get pendingBytes(): number {
    return this.partialLength + this.queuedBytes;
  }

  /**
   * Where, in the bytes pushed since the reader was made, the next message starts: the offset of
   * the message that the next `read()` returns. File descriptors that came with the chunk at a
   * given offset are matched to messages by it.
   */
  get nextMessageOffset(): number {
    return this.pushedBytes - this.pendingBytes;
  }

  /** Forgets the first chunk, which has been scanned. */
  private dropHead(): void {
    this.queue[this.head] = EMPTY_BYTES;
    this.head += 1;
    this.offset = 0;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Keeps a piece of the message being received, decoding what is held once it reaches
   * {@link DECODE_BATCH} bytes, so that its chunks can be let go: a large message is held as its
   * text, not as chunks that are then joined and decoded, three copies. The bytes of a character
   * cut by the batch's end stay held for the next.
   */
  private keepPartial(piece: Uint8Array, last: boolean): void {
    this.checkSize(this.partialLength + piece.length);
    this.partialLength += piece.length;
    if (piece.length > 0) {
      this.held.push(piece);
      this.heldLength += piece.length;
    }
    if (!last && this.heldLength < DECODE_BATCH) return;
    const bytes = this.held.length <= 1 ? (this.held[0] ?? EMPTY_BYTES) : concatBytes(this.held, this.heldLength);
    const cut = last ? bytes.length : bytes.length - incompleteTail(bytes);
    if (cut > 0) this.partial += decodeUtf8(bytes.subarray(0, cut));
    // A copy of the few bytes left, so that they do not keep a whole chunk alive.
    this.held = cut < bytes.length ? [copyBytes(bytes.subarray(cut))] : [];
    this.heldLength = bytes.length - cut;
  }

  private checkSize(size: number): void {
    if (size > this.maxMessageSize) {
      throw new ProtocolError(
        `message exceeds the maximum size of ${this.maxMessageSize} bytes`,
      );
    }
  }
}

/** The length of the UTF-8 sequence `lead` begins; 1 for ASCII and for bytes that begin none. */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0) return lead <= 0xf4 ? 4 : 1;
  if (lead >= 0xe0) return 3;
  return lead >= 0xc2 ? 2 : 1;
}

/** How many bytes at the end of `bytes` begin a character that they do not finish. */
function incompleteTail(bytes: Uint8Array): number {
  const length = bytes.length;
  for (let back = 1; back <= 3 && back <= length; back++) {
    const byte = bytes[length - back]!;
    // Continuation bytes (10xxxxxx): look further back for the byte that leads them.
    if ((byte & 0xc0) === 0x80) continue;
    return sequenceLength(byte) > back ? back : 0;
  }
  return 0;
}

/**
 * Parses one message, its text or its bytes, as a JSON object, after checking its shape against
 * `shape`: by default a call's bounds (`CALL_SHAPE`); a client reads replies with `REPLY_SHAPE`.
 * @throws ProtocolError for invalid UTF-8, invalid JSON, JSON that is not an object, or JSON
 * nested too deeply or with too many values (see message-shape.ts).
 */
export function decodeMessage(
  message: string | Uint8Array,
  shape: MessageShape = CALL_SHAPE,
): Record<string, unknown> {
  const text = typeof message === "string" ? message : decodeUtf8(message);
  checkMessageShape(text, shape);
  let value: unknown;
  try {
    // Big integers keep their exact digits, for the fields that are bigints (see
    // validate/integers.ts), and escaped keys are never misread (see parse-json.ts).
    value = parseJson(text);
  } catch (cause) {
    throw new ProtocolError("message is not valid JSON", { cause });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ProtocolError("message is not a JSON object");
  }
  return value as Record<string, unknown>;
}

/** One message as the text to write: its JSON followed by NUL. */
export function encodeMessage(message: object): string {
  return `${JSON.stringify(message)}\0`;
}

/**
 * JSON at least this long is written apart from its NUL: appending the NUL makes a string that
 * the socket must flatten into a whole new copy before encoding it, a message's size in memory.
 * Shorter JSON is joined with it, so a small message stays one write.
 */
export const SEPARATE_NUL_THRESHOLD = 64 * 1024;

/** Where messages are written: a Node Writable, or anything with its `write`. */
export interface MessageSink {
  write(chunk: string | Uint8Array, callback?: (error: Error | null | undefined) => void): unknown;
}

/**
 * Writes one message and its NUL: a small message's JSON in one write, a large one's in two (see
 * {@link SEPARATE_NUL_THRESHOLD}), and a frame of buffers (from `serializeMessage`) as they
 * are. `callback` runs once all of it is handed on.
 */
export function writeMessage(
  stream: MessageSink,
  frame: Frame,
  callback?: (error: Error | null | undefined) => void,
): void {
  if (typeof frame !== "string") {
    const last = frame.length - 1;
    for (let index = 0; index <= last; index++) stream.write(frame[index]!, index === last ? callback : undefined);
    return;
  }
  if (frame.length < SEPARATE_NUL_THRESHOLD) {
    stream.write(`${frame}\0`, callback);
    return;
  }
  stream.write(frame);
  stream.write("\0", callback);
}
