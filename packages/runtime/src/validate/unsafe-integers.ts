/**
 * Finds an `int` that a JavaScript number cannot hold exactly in a value received from a peer:
 * `JSON.parse` rounds 2^53 + 1 to 2^53, so any integer beyond ±(2^53 − 1) may not be what was
 * sent. A check is compiled once per type and visits only the parts that can hold an `int`, so a
 * reply without one costs nothing and one with a few costs a few number tests.
 */
import type { InterfaceDefinition, StructType, VarlinkType } from "../idl/model.js";
import { UNSAFE_INTEGER } from "./check-value.js";
import type { ValidationIssue } from "./issue.js";
import { underElement, underField } from "./path.js";

/** Checks one value; undefined when it is fine. */
type Check = (value: unknown) => ValidationIssue | undefined;

const compiled = new WeakMap<InterfaceDefinition, Map<VarlinkType, Check | undefined>>();

/**
 * The check of `struct`'s values (a method's output, say) for unsafe integers, or undefined when
 * the struct cannot hold an `int` at all.
 */
export function unsafeIntegerCheck(
  definition: InterfaceDefinition,
  struct: StructType,
): ((value: object) => ValidationIssue | undefined) | undefined {
  let cache = compiled.get(definition);
  if (cache === undefined) {
    cache = new Map();
    compiled.set(definition, cache);
  }
  return compile(definition, struct, cache, new Set());
}

function compile(
  definition: InterfaceDefinition,
  type: VarlinkType,
  cache: Map<VarlinkType, Check | undefined>,
  resolving: Set<string>,
): Check | undefined {
  if (cache.has(type)) return cache.get(type);
  let check: Check | undefined;
  switch (type.kind) {
    case "int":
      check = (value) =>
        typeof value === "number" && !Number.isSafeInteger(value) ? { path: "", message: UNSAFE_INTEGER } : undefined;
      break;
    case "nullable":
      check = compile(definition, type.inner, cache, resolving);
      break;
    case "named": {
      const member = definition.types.get(type.name);
      if (member === undefined || resolving.has(type.name)) {
        // A recursive type refers to itself: check through a lookup made when it is first used.
        check =
          member === undefined
            ? undefined
            : (value) => cache.get(member.type)?.(value);
        break;
      }
      resolving.add(type.name);
      check = compile(definition, member.type, cache, resolving);
      resolving.delete(type.name);
      break;
    }
    case "struct": {
      const fields = type.fields.flatMap((field) => {
        const inner = compile(definition, field.type, cache, resolving);
        return inner === undefined ? [] : [[field.name, inner] as const];
      });
      if (fields.length === 0) break;
      check = (value) => {
        if (typeof value !== "object" || value === null) return undefined;
        for (const [name, inner] of fields) {
          const found = inner((value as Record<string, unknown>)[name]);
          if (found !== undefined) return { path: underField(name, found.path), message: found.message };
        }
        return undefined;
      };
      break;
    }
    case "array": {
      const inner = compile(definition, type.element, cache, resolving);
      if (inner === undefined) break;
      check = (value) => {
        if (!Array.isArray(value)) return undefined;
        for (let index = 0; index < value.length; index++) {
          const found = inner(value[index]);
          if (found !== undefined) return { path: underElement(index, found.path), message: found.message };
        }
        return undefined;
      };
      break;
    }
    case "map": {
      const inner = compile(definition, type.value, cache, resolving);
      if (inner === undefined) break;
      check = (value) => {
        if (typeof value !== "object" || value === null) return undefined;
        for (const key of Object.keys(value)) {
          const found = inner((value as Record<string, unknown>)[key]);
          if (found !== undefined) return { path: underElement(key, found.path), message: found.message };
        }
        return undefined;
      };
      break;
    }
    default:
      check = undefined;
  }
  cache.set(type, check);
  return check;
}
