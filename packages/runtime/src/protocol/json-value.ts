/**
 * What `JSON.stringify` would not carry unchanged, found before a message is sent: it would drop
 * a function or a symbol, turn `NaN` into `null`, a `Date` into a string, an `undefined` array
 * element into `null`, a `Set` or `Map` into `{}`, and throw on a BigInt. Sets, Maps and BigInts
 * have a faithful varlink form and are converted to it; everything else is refused with a
 * `ValueError` that names the field. An `undefined` object property stays what JSON makes of it:
 * absent, which is what an optional field left out means.
 *
 * A message of plain JSON values, which is nearly every message, costs one pass of type tests
 * that allocates nothing; only the others are walked again, with paths, copying the objects and
 * arrays on the way to a converted value.
 */
import { ValueError } from "../errors.js";

/** Deeper than this, a value is refused: it is a cycle or could overflow the stack. */
const MAX_DEPTH = 512;

/** Built-ins whose JSON form (or lack of one) is not their value. */
const OPAQUE: ReadonlyArray<abstract new (...args: never[]) => object> = [
  RegExp,
  Error,
  Promise,
  WeakMap,
  WeakSet,
  ArrayBuffer,
];

/** A value ready for `JSON.stringify`, and whether it holds BigInts written as placeholders. */
export interface JsonReady {
  readonly value: unknown;
  /** The placeholder prefix of BigInts, when there are any. */
  readonly bigintMark: string | undefined;
}

/**
 * `value` with Sets, Maps and BigInts in their varlink form, for a value {@link isPlainJson} did
 * not pass (the serializer asks that first, for every message).
 * @throws ValueError naming the first value that JSON would not carry unchanged.
 */
export function toJsonValue(value: unknown): JsonReady {
  const walk = new Walk();
  const converted = walk.value(value, 0);
  return { value: converted, bigintMark: walk.bigintMark };
}

/** Replaces the BigInt placeholders in `json` with the integers' digits. */
export function writeBigInts(json: string, mark: string): string {
  const placeholder = new RegExp(`"${escapeRegExp(JSON.stringify(mark).slice(1, -1))}(-?\\d+)"`, "g");
  return json.replace(placeholder, "$1");
}

/**
 * Whether `value` is made only of what JSON carries unchanged: the check every message gets, so
 * it is kept to type tests, with no path and no copies (the Walk below does those when needed).
 * Plain objects only: a class instance, a Set, a Map or a Date sends the message the long way.
 */
export function isPlainJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return value - value === 0;
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  if (depth >= MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const element: unknown = value[index];
      if (element === undefined || !isPlainJson(element, depth + 1)) return false;
    }
    return true;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  // A plain object inherits nothing enumerable, so for-in sees exactly its own keys.
  for (const key in value) {
    const entry: unknown = (value as Record<string, unknown>)[key];
    if (entry !== undefined && !isPlainJson(entry, depth + 1)) return false;
  }
  return true;
}

class Walk {
  /** The keys from the top to the value being looked at, for the path of a refusal. */
  private readonly keys: Array<string | number> = [];
  bigintMark: string | undefined;

  value(value: unknown, depth: number): unknown {
    switch (typeof value) {
      case "string":
      case "boolean":
        return value;
      case "number":
        if (Number.isFinite(value)) return value;
        throw this.refuse(`${value} has no JSON form`);
      case "bigint":
        this.bigintMark ??= `\u0000${Math.random().toString(36).slice(2)}:`;
        return `${this.bigintMark}${value}`;
      case "object":
        if (value === null) return null;
        if (depth >= MAX_DEPTH) throw this.refuse(`nests deeper than ${MAX_DEPTH} levels (a cycle?)`);
        return this.object(value, depth + 1);
      default:
        throw this.refuse(`${describe(value)} has no JSON form`);
    }
  }

  private object(value: object, depth: number): unknown {
    if (Array.isArray(value)) return this.array(value, depth);
    if (value instanceof Set) return this.set(value);
    if (value instanceof Map) return this.map(value, depth);
    if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
      throw this.refuse(`${describe(value)} would be sent as what its toJSON() returns`);
    }
    if (OPAQUE.some((type) => value instanceof type) || ArrayBuffer.isView(value)) {
      throw this.refuse(`${describe(value)} has no JSON form`);
    }
    let copy: Record<string, unknown> | undefined;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const entry: unknown = (value as Record<string, unknown>)[key];
      // Left out, as JSON leaves it out: an optional field that is absent.
      if (entry === undefined) continue;
      this.keys.push(key);
      const converted = this.value(entry, depth);
      this.keys.pop();
      if (converted !== entry && copy === undefined) copy = { ...value } as Record<string, unknown>;
      if (copy !== undefined) copy[key] = converted;
    }
    return copy ?? value;
  }

  private array(value: readonly unknown[], depth: number): unknown {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const element = value[index];
      this.keys.push(index);
      if (element === undefined) throw this.refuse("undefined in an array would be sent as null");
      const converted = this.value(element, depth);
      this.keys.pop();
      if (converted !== element && copy === undefined) copy = value.slice();
      if (copy !== undefined) copy[index] = converted;
    }
    return copy ?? value;
  }

  private set(value: ReadonlySet<unknown>): Record<string, object> {
    const object: Record<string, object> = {};
    for (const element of value) {
      if (typeof element !== "string") throw this.refuse(`a Set sent as a varlink set must hold strings, not ${describe(element)}`);
      object[element] = {};
    }
    return object;
  }

  private map(value: ReadonlyMap<unknown, unknown>, depth: number): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    for (const [key, entry] of value) {
      if (typeof key !== "string") throw this.refuse(`a Map sent as a varlink map must have string keys, not ${describe(key)}`);
      this.keys.push(key);
      if (entry === undefined) throw this.refuse("undefined in a Map would be left out");
      object[key] = this.value(entry, depth);
      this.keys.pop();
    }
    return object;
  }

  private refuse(message: string): ValueError {
    return new ValueError(pathOf(this.keys), message);
  }
}

/** `parameters.items[3].id` → `items[3].id`: the field as the method's parameters name it. */
function pathOf(keys: ReadonlyArray<string | number>): string {
  let path = "";
  for (const [index, key] of keys.entries()) {
    if (index === 0 && key === "parameters") continue;
    if (typeof key === "number") path += `[${key}]`;
    else path += path === "" ? key : `.${key}`;
  }
  return path;
}

function describe(value: unknown): string {
  if (typeof value === "object" && value !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "" ? `a ${name}` : "an object";
  }
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  if (value === undefined) return "undefined";
  return `a ${typeof value}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
