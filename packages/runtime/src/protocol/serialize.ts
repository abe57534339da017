/**
 * Serializing a message for the wire, with a second path for large ones.
 *
 * `JSON.stringify` builds a large message's text from parts, the socket flattens them into one
 * string and encodes that into bytes: three copies of the message, each in fresh memory. Large
 * messages are nearly always long lists, so a message whose parameters hold a long array whose
 * JSON would be large is serialized element by element instead, straight into buffers of about
 * 64 KiB: the message then exists once, as the bytes the socket writes.
 */

import { encodeUtf8 } from "./bytes.js";
import { isPlainJson, toJsonValue, writeBigInts } from "./json-value.js";

/**
 * A serialized message: the JSON text without its NUL, or, for a large message, the bytes of its
 * JSON and its NUL.
 */
export type Frame = string | Uint8Array[];

/** Arrays shorter than this are never split: a long array is what makes a message large. */
const SPLIT_MIN_ELEMENTS = 64;
/** Estimated JSON size, in characters, from which an array is serialized element by element. */
export const SPLIT_THRESHOLD = 1024 * 1024;
/** Text gathered before it is encoded into one buffer. */
const BUFFER_CHARS = 64 * 1024;

/** The bytes of a frame, or its length in UTF-16 units for the text of a small one. */
export function frameLength(frame: Frame): number {
  if (typeof frame === "string") return frame.length;
  let total = 0;
  for (const buffer of frame) total += buffer.length;
  return total;
}

/**
 * Serializes `message`: its JSON is what `JSON.stringify` makes of it, with Sets, Maps and BigInts
 * in their varlink form.
 * @throws ValueError for a value JSON would not carry unchanged (see json-value.ts).
 */
export function serializeMessage(message: object): Frame {
  if (isPlainJson(message)) return serializeJson(message);
  const { value, bigintMark } = toJsonValue(message);
  if (bigintMark !== undefined) return writeBigInts(JSON.stringify(value), bigintMark);
  return serializeJson(value as object);
}

function serializeJson(message: object): Frame {
  const parameters = (message as { readonly parameters?: unknown }).parameters;
  if (typeof parameters !== "object" || parameters === null) return JSON.stringify(message);
  // Most messages are small: isLarge looks only for a long array before anything costlier.
  for (const key in parameters) {
    if (!isLarge((parameters as Record<string, unknown>)[key])) continue;
    return isPlainObject(parameters) ? serializeSplit(message, parameters) : JSON.stringify(message);
  }
  return JSON.stringify(message);
}

function isPlainObject(value: object): value is Record<string, unknown> {
  if (Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !("toJSON" in value);
}

/** Whether `value` is an array whose JSON, judged by its first element, is large. */
function isLarge(value: unknown): value is unknown[] {
  if (!Array.isArray(value) || value.length < SPLIT_MIN_ELEMENTS || "toJSON" in value) return false;
  const first = JSON.stringify(value[0]) as string | undefined;
  return (first?.length ?? 4) * value.length >= SPLIT_THRESHOLD;
}

function serializeSplit(message: object, parameters: Record<string, unknown>): Uint8Array[] {
  const out = new BufferBuilder();
  appendObject(out, message, (value) =>
    value === parameters ? () => appendObject(out, parameters, largeArrayWriter(out)) : undefined,
  );
  return out.finish();
}

/** How a value is appended when JSON.stringify is not to do it; undefined when it is. */
type WriterFor = (value: unknown) => (() => void) | undefined;

/** Appends `object` as JSON.stringify writes it; `writerFor` takes over the values it chooses. */
function appendObject(out: BufferBuilder, object: object, writerFor: WriterFor): void {
  let separator = "{";
  for (const [key, value] of Object.entries(object)) {
    const name = `${separator}${JSON.stringify(key)}:`;
    const write = writerFor(value);
    if (write !== undefined) {
      out.append(name);
      write();
    } else {
      // As in JSON.stringify, a property with no JSON (undefined, a function) is left out.
      const json = JSON.stringify(value) as string | undefined;
      if (json === undefined) continue;
      out.append(name + json);
    }
    separator = ",";
  }
  out.append(separator === "{" ? "{}" : "}");
}

/** Writes large arrays element by element. */
function largeArrayWriter(out: BufferBuilder): WriterFor {
  return (value) => {
    if (!isLarge(value)) return undefined;
    return () => {
      let separator = "[";
      for (const element of value) {
        // As in JSON.stringify, an element with no JSON is null.
        out.append(separator + ((JSON.stringify(element) as string | undefined) ?? "null"));
        separator = ",";
      }
      out.append(separator === "[" ? "[]" : "]");
    };
  };
}

/** Gathers text and encodes it into buffers of about {@link BUFFER_CHARS} characters. */
class BufferBuilder {
  private readonly buffers: Uint8Array[] = [];
  private text = "";

  append(text: string): void {
    this.text += text;
    if (this.text.length >= BUFFER_CHARS) this.encode();
  }

  /** The buffers, the last ending with the NUL. */
  finish(): Uint8Array[] {
    this.text += "\0";
    this.encode();
    return this.buffers;
  }

  private encode(): void {
    this.buffers.push(encodeUtf8(this.text));
    this.text = "";
  }
}
