/**
 * Checks a JSON value against a varlink type.
 *
 * Values come from `JSON.parse` of what a peer sent (or from a handler about to reply), so the
 * checker never trusts their shape: it reads only own properties (`Object.hasOwn`, never `in`), so
 * keys such as `__proto__`, `constructor` and `prototype` are ordinary keys, and it never writes to
 * the value.
 *
 * Choices where the protocol is loose:
 * - `int` is a safe integer (|n| <= 2^53 − 1). A larger one cannot be held exactly by a
 *   JavaScript number (`JSON.parse` has already rounded 2^53 + 1 to 2^53), so it is refused rather
 *   than passed on rounded.
 * - `float` is any finite number (`1.0` arrives as `1`).
 * - `object` is a JSON object: not an array, not a primitive, not `null` (UAPI.20); what it holds
 *   is not checked, since a value parsed from the wire is JSON. A `Set` or a `Map` is refused too,
 *   although the serializer would turn it into an object: only sets and maps take them.
 * - `any` is any JSON value but `null` (UAPI.20: `?any` is the one that takes `null`).
 * - A `[string]()` set is an object whose values are objects (what those objects hold is not
 *   checked: peers send `{}`), or, in a value about to be sent, a `Set` of strings; a `[string]T`
 *   map is an object or, about to be sent, a `Map` with string keys. The serializer encodes both.
 * - Values nested deeper than {@link MAX_VALUE_DEPTH} levels of varlink types are reported rather than
 *   risking the stack.
 */
import type { InterfaceDefinition, StructType, VarlinkType } from "../idl/model.js";
import type { ValidationIssue } from "./issue.js";
import { underElement, underField } from "./path.js";

/** The deepest nesting of typed values (structs, arrays, maps) that the checker follows. */
export const MAX_VALUE_DEPTH = 512;

/**
 * Checks `value` against `type`, resolving named types in `definition`.
 *
 * @param path - where `value` sits, prefixed to every issue's path; empty by default.
 * @returns the first issue found, or undefined when the value fits the type.
 */
export function checkValue(
  definition: InterfaceDefinition,
  type: VarlinkType,
  value: unknown,
  path = "",
): ValidationIssue | undefined {
  return withPath(path, check(definition, type, value, 0));
}

/**
 * Checks an object's fields against a struct type: required fields present, nullable ones absent
 * or null, no unknown keys. Exported for the parameters checker, which treats `null` as `{}`.
 */
export function checkStructFields(
  definition: InterfaceDefinition,
  struct: StructType,
  value: object,
  path: string,
): ValidationIssue | undefined {
  return withPath(path, checkFields(definition, struct, value, 0));
}

/** Issues found below are relative to the value being checked; this anchors one at `path`. */
function withPath(path: string, found: ValidationIssue | undefined): ValidationIssue | undefined {
  if (found === undefined || path === "") return found;
  return { path: underField(path, found.path), message: found.message };
}

function checkFields(
  definition: InterfaceDefinition,
  struct: StructType,
  value: object,
  depth: number,
): ValidationIssue | undefined {
  const fields = fieldsOf(struct);
  for (const key of Object.keys(value)) {
    if (!fields.has(key)) return issue(key, "unknown field");
  }
  for (const field of struct.fields) {
    const present = Object.hasOwn(value, field.name);
    if (!present && field.type.kind !== "nullable") {
      return issue(field.name, "missing required field");
    }
    const fieldValue: unknown = present
      ? (value as Record<string, unknown>)[field.name]
      : undefined;
    const found = check(definition, field.type, fieldValue, depth + 1);
    if (found !== undefined) return { path: underField(field.name, found.path), message: found.message };
  }
  return undefined;
}

/** Checks one value; the issue's path is relative to it ("" for the value itself). */
function check(
  definition: InterfaceDefinition,
  type: VarlinkType,
  value: unknown,
  depth: number,
): ValidationIssue | undefined {
  if (depth > MAX_VALUE_DEPTH) return issue("", `value nests deeper than ${MAX_VALUE_DEPTH} levels`);
  // Nullable and named wrappers are unwrapped here rather than recursed into, to keep the stack
  // at two frames per level of nesting.
  for (;;) {
    if (type.kind === "nullable") {
      if (value === undefined || value === null) return undefined;
      type = type.inner;
    } else if (type.kind === "named") {
      const member = definition.types.get(type.name);
      if (member === undefined) return issue("", `unknown type ${type.name}`);
      type = member.type;
    } else {
      break;
    }
  }
  switch (type.kind) {
    case "bool":
      return typeof value === "boolean" ? undefined : expected("a bool", value);
    case "int":
      // A BigInt only ever comes from a value about to be sent; the serializer writes its digits.
      if (typeof value === "bigint") {
        return value >= INT64_MIN && value <= INT64_MAX ? undefined : issue("", "int out of the 64-bit range");
      }
      if (typeof value !== "number" || !Number.isInteger(value)) return expected("an int", value);
      return Number.isSafeInteger(value) ? undefined : issue("", UNSAFE_INTEGER);
    case "float":
      return typeof value === "number" && Number.isFinite(value)
        ? undefined
        : expected("a float", value);
    case "string":
      return typeof value === "string" ? undefined : expected("a string", value);
    case "object":
      return isPlainObject(value) ? undefined : expected("an object", value);
    case "any":
      if (value === undefined) return issue("", "missing value");
      return value === null ? expected("a value other than null", value) : undefined;
    case "enum": {
      if (typeof value === "string" && type.values.some((v) => v.name === value)) return undefined;
      const names = type.values.map((v) => v.name).join(", ");
      return issue("", `expected one of ${names}, got ${describe(value)}`);
    }
    case "struct":
      if (!isPlainObject(value)) return expected("an object", value);
      return checkFields(definition, type, value, depth);
    case "array": {
      if (!Array.isArray(value)) return expected("an array", value);
      const elements: readonly unknown[] = value;
      for (let index = 0; index < elements.length; index++) {
        const found = check(definition, type.element, elements[index], depth + 1);
        if (found !== undefined) return atElement(index, found);
      }
      return undefined;
    }
    case "map": {
      if (value instanceof Map) return checkMap(definition, type.value, value, depth);
      if (!isPlainObject(value)) return expected("an object", value);
      for (const key of Object.keys(value)) {
        const entry: unknown = (value as Record<string, unknown>)[key];
        const found = check(definition, type.value, entry, depth + 1);
        if (found !== undefined) return atElement(key, found);
      }
      return undefined;
    }
    case "set": {
      if (value instanceof Set) {
        for (const element of value) {
          if (typeof element !== "string") return issue("", `expected a set of strings, got ${describe(element)} in it`);
        }
        return undefined;
      }
      if (!isPlainObject(value)) return expected("an object", value);
      for (const key of Object.keys(value)) {
        const entry: unknown = (value as Record<string, unknown>)[key];
        if (!isPlainObject(entry)) return atElement(key, expected("{}", entry));
      }
      return undefined;
    }
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 64n - 1n;

/** What the checker says of an int that a JavaScript number cannot hold exactly. */
export const UNSAFE_INTEGER =
  "integer beyond ±(2^53 − 1), which a JavaScript number cannot hold exactly";

function checkMap(
  definition: InterfaceDefinition,
  type: VarlinkType,
  map: ReadonlyMap<unknown, unknown>,
  depth: number,
): ValidationIssue | undefined {
  for (const [key, entry] of map) {
    if (typeof key !== "string") return issue("", `expected a map with string keys, got ${describe(key)} as a key`);
    const found = check(definition, type, entry, depth + 1);
    if (found !== undefined) return atElement(key, found);
  }
  return undefined;
}

/** A JSON object: not null, not an array, not a Set or Map (which only sets and maps take). */
export function isPlainObject(value: unknown): value is object {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Set) &&
    !(value instanceof Map)
  );
}

const fieldCache = new WeakMap<StructType, ReadonlySet<string>>();

/** The struct's field names, collected once per struct. A Set, so no key reaches a prototype. */
function fieldsOf(struct: StructType): ReadonlySet<string> {
  let fields = fieldCache.get(struct);
  if (fields === undefined) {
    fields = new Set(struct.fields.map((field) => field.name));
    fieldCache.set(struct, fields);
  }
  return fields;
}

function atElement(key: string | number, found: ValidationIssue): ValidationIssue {
  return { path: underElement(key, found.path), message: found.message };
}

function issue(path: string, message: string): ValidationIssue {
  return { path, message };
}

function expected(what: string, value: unknown): ValidationIssue {
  return issue("", `expected ${what}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return Number.isInteger(value) ? "an integer" : "a number";
  if (typeof value === "boolean") return "a bool";
  if (value instanceof Set) return "a Set";
  if (value instanceof Map) return "a Map";
  return `${typeof value === "object" ? "an" : "a"} ${typeof value}`;
}
