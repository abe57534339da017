/**
 * NUL framing: every varlink message is one JSON object followed by one `\0` byte.
 *
 * The reader is fed whatever chunks the socket delivers and hands back whole messages. It scans
 * each byte once and copies a message only when it spans chunks, so a message of any size costs
 * linear time, and it never reads past a message it was not asked for, which `upgrade` needs.
 */
import { isUtf8 } from "node:buffer";
import type { Writable } from "node:stream";
import { ProtocolError } from "../errors.js";

/** The default largest message, in bytes, that a reader accepts: 16 MiB. */
export const DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

const EMPTY = Buffer.alloc(0);

/** Splits a byte stream into NUL-terminated messages. */
export class MessageReader {
  readonly maxMessageSize: number;
  /** Chunks not yet scanned; the first is read from `offset`. */
  private readonly queue: Buffer[] = [];
  private offset = 0;
  /** Pieces of a message whose NUL has not arrived yet. */
  private partial: Buffer[] = [];
  private partialLength = 0;

  constructor(maxMessageSize: number = DEFAULT_MAX_MESSAGE_SIZE) {
    this.maxMessageSize = maxMessageSize;
  }

  /** Adds bytes received from the peer. */
  push(chunk: Buffer): void {
    if (chunk.length > 0) this.queue.push(chunk);
  }

  /**
   * The next whole message without its NUL, or undefined until more bytes arrive.
   * @throws ProtocolError when a message grows past `maxMessageSize`.
   */
  read(): Buffer | undefined {
    for (;;) {
      const chunk = this.queue[0];
      if (chunk === undefined) return undefined;
      const end = chunk.indexOf(0, this.offset);
      if (end === -1) {
        this.keepPartial(chunk.subarray(this.offset));
        this.queue.shift();
        this.offset = 0;
        continue;
      }
      const piece = chunk.subarray(this.offset, end);
      this.offset = end + 1;
      if (this.offset >= chunk.length) {
        this.queue.shift();
        this.offset = 0;
      }
      if (this.partial.length === 0) {
        this.checkSize(piece.length);
        return piece;
      }
      this.keepPartial(piece);
      const message = Buffer.concat(this.partial, this.partialLength);
      this.partial = [];
      this.partialLength = 0;
      return message;
    }
  }

  /**
   * Takes every byte received after the last message read, and empties the reader. After an
   * `upgrade` these bytes belong to the new protocol.
   */
  takeRest(): Buffer {
    const pieces = [...this.partial];
    this.queue.forEach((chunk, index) => pieces.push(index === 0 ? chunk.subarray(this.offset) : chunk));
    this.queue.length = 0;
    this.offset = 0;
    this.partial = [];
    this.partialLength = 0;
    return pieces.length === 0 ? EMPTY : Buffer.concat(pieces);
  }

  /** Bytes held for a message that has not ended yet. */
  get pendingBytes(): number {
    let total = this.partialLength;
    this.queue.forEach((chunk, index) => (total += chunk.length - (index === 0 ? this.offset : 0)));
    return total;
  }

  private keepPartial(piece: Buffer): void {
    if (piece.length === 0) return;
    this.checkSize(this.partialLength + piece.length);
    this.partial.push(piece);
    this.partialLength += piece.length;
  }

  private checkSize(size: number): void {
    if (size > this.maxMessageSize) {
      throw new ProtocolError(
        `message exceeds the maximum size of ${this.maxMessageSize} bytes`,
      );
    }
  }
}

/**
 * Parses one message's bytes as a JSON object.
 * @throws ProtocolError for invalid UTF-8, invalid JSON, or JSON that is not an object.
 */
export function decodeMessage(bytes: Buffer): Record<string, unknown> {
  if (!isUtf8(bytes)) throw new ProtocolError("message is not valid UTF-8");
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
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

/**
 * Writes one message whose JSON is `json`, and its NUL: in one write when it is small, in two
 * when it is large; see {@link SEPARATE_NUL_THRESHOLD}. `callback` runs once both are handed on.
 */
export function writeMessage(
  stream: Writable,
  json: string,
  callback?: (error: Error | null | undefined) => void,
): void {
  if (json.length < SEPARATE_NUL_THRESHOLD) {
    stream.write(`${json}\0`, callback);
    return;
  }
  stream.write(json);
  stream.write("\0", callback);
}
