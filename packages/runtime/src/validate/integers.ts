/**
 * Integers as they arrive, made exact: a check compiled once per struct that visits only the
 * parts of a value that can hold an `int`, and for each one
 *
 * - in a field that is a `number`: keeps a safe integer, turns a decimal string (UAPI.20 lets an
 *   integer travel as one, for JavaScript's sake) into a number when it is safe, and refuses an
 *   integer beyond ±(2^53 − 1), which `JSON.parse` may have rounded;
 * - in a field that is a `bigint` (the descriptor's `bigint` option): turns a number, a decimal
 *   string, or an integer literal too large for a number (read exactly from the message's text,
 *   see protocol/exact-json.ts) into a `bigint`.
 *
 * Values are converted in place, in the object `JSON.parse` made; anything that is not an
 * integer is left for the value checker to report.
 */
import type { BigintFields } from "../interface/bigint-fields.js";
import type { Field, InterfaceDefinition, StructType, VarlinkType } from "../idl/model.js";
import { exactInteger } from "../protocol/exact-json.js";
import { UNSAFE_INTEGER } from "./check-value.js";
import type { ValidationIssue } from "./issue.js";
import { underElement, underField } from "./path.js";

/** Reads and converts `container[key]`; an issue when it cannot be held exactly. */
type Codec = (container: Record<string | number, unknown>, key: string | number) => ValidationIssue | undefined;

const DECIMAL = /^-?(?:0|[1-9][0-9]*)$/;
const INT_MIN = -(2n ** 63n);
/** systemd sends uint64 values up to UINT64_MAX in `int` fields; they are taken. */
const INT_MAX = 2n ** 64n - 1n;

/**
 * The codec of a struct's values (a method's parameters or result), or undefined when the
 * struct holds no `int` at all. `bigints` says which fields are `bigint`s.
 */
export function integerCodec(
  definition: InterfaceDefinition,
  struct: StructType,
  bigints: BigintFields,
): ((value: object) => ValidationIssue | undefined) | undefined {
  const fields = new Compiler(definition, bigints).fields(struct, bigints === true);
  return fields === undefined ? undefined : (value) => readFields(fields, value);
}

/** A struct's fields that can hold an `int`, each with its codec. */
type FieldCodecs = ReadonlyArray<readonly [string, Codec]>;

function readFields(fields: FieldCodecs, value: object): ValidationIssue | undefined {
  for (const [name, codec] of fields) {
    if (!Object.hasOwn(value, name)) continue;
    const found = codec(value as Record<string, unknown>, name);
    if (found !== undefined) return { path: underField(name, found.path), message: found.message };
  }
  return undefined;
}

class Compiler {
  /** Compiled codecs by type, one table for `number` fields and one for `bigint` fields. */
  private readonly cache = [new Map<VarlinkType, Codec | undefined>(), new Map<VarlinkType, Codec | undefined>()];
  private readonly resolving = new Set<string>();

  constructor(
    private readonly definition: InterfaceDefinition,
    private readonly bigints: BigintFields,
  ) {}

  compile(type: VarlinkType, bigint: boolean): Codec | undefined {
    const cache = this.cache[bigint ? 1 : 0]!;
    if (cache.has(type)) return cache.get(type);
    const codec = this.build(type, bigint);
    cache.set(type, codec);
    return codec;
  }

  private build(type: VarlinkType, bigint: boolean): Codec | undefined {
    switch (type.kind) {
      case "int":
        return bigint ? toBigint : toNumber;
      case "nullable":
        return this.compile(type.inner, bigint);
      case "named": {
        const member = this.definition.types.get(type.name);
        if (member === undefined) return undefined;
        // A named type's own fields say what they are: a selection does not reach through it.
        const inner = this.bigints === true;
        if (this.resolving.has(type.name)) {
          // A recursive type: look its codec up when it is used, once it is compiled.
          const cache = this.cache[inner ? 1 : 0]!;
          return (container, key) => cache.get(member.type)?.(container, key);
        }
        this.resolving.add(type.name);
        const codec = this.compile(member.type, inner);
        this.resolving.delete(type.name);
        return codec;
      }
      case "struct":
        return this.struct(type, bigint);
      case "array": {
        const element = this.compile(type.element, bigint);
        if (element === undefined) return undefined;
        return (container, key) => {
          const value = container[key];
          if (!Array.isArray(value)) return undefined;
          for (let index = 0; index < value.length; index++) {
            const found = element(value as unknown as Record<number, unknown>, index);
            if (found !== undefined) return { path: underElement(index, found.path), message: found.message };
          }
          return undefined;
        };
      }
      case "map": {
        const entry = this.compile(type.value, bigint);
        if (entry === undefined) return undefined;
        return (container, key) => {
          const value = container[key];
          if (typeof value !== "object" || value === null) return undefined;
          for (const name of Object.keys(value)) {
            const found = entry(value as Record<string, unknown>, name);
            if (found !== undefined) return { path: underElement(name, found.path), message: found.message };
          }
          return undefined;
        };
      }
      default:
        return undefined;
    }
  }

  /** The struct's fields that can hold an `int`, with their codecs; undefined when none. */
  fields(type: StructType, bigint: boolean): FieldCodecs | undefined {
    const fields = type.fields.flatMap((field) => {
      const codec = this.compile(field.type, bigint || this.selected(field));
      return codec === undefined ? [] : [[field.name, codec] as const];
    });
    return fields.length === 0 ? undefined : fields;
  }

  private struct(type: StructType, bigint: boolean): Codec | undefined {
    const fields = this.fields(type, bigint);
    if (fields === undefined) return undefined;
    return (container, key) => {
      const value = container[key];
      if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
      return readFields(fields, value);
    };
  }

  private selected(field: Field): boolean {
    return this.bigints === true || this.bigints.has(field);
  }
}

/** An `int` that is a `number`. */
const toNumber: Codec = (container, key) => {
  const value = container[key];
  if (typeof value === "number") {
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? unsafe() : undefined;
  }
  if (typeof value === "string" && DECIMAL.test(value)) {
    const number = Number(value);
    if (!Number.isSafeInteger(number)) return unsafe();
    container[key] = number;
  }
  return undefined;
};

/** An `int` that is a `bigint`. */
const toBigint: Codec = (container, key) => {
  const value = container[key];
  let exact: bigint;
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return undefined;
    if (Number.isSafeInteger(value)) exact = BigInt(value);
    else {
      const literal = exactInteger(container, key);
      if (literal === undefined) return { path: "", message: "integer that was rounded before it could be read exactly" };
      exact = BigInt(literal);
    }
  } else if (typeof value === "string" && DECIMAL.test(value)) {
    exact = BigInt(value);
  } else if (typeof value === "bigint") {
    exact = value;
  } else {
    return undefined;
  }
  if (exact < INT_MIN || exact > INT_MAX) return { path: "", message: "int out of the 64-bit range" };
  container[key] = exact;
  return undefined;
};

function unsafe(): ValidationIssue {
  return { path: "", message: UNSAFE_INTEGER };
}
