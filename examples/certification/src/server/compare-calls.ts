/**
 * Whether a received call is exactly the expected one, as strict as the Python reference server:
 * the whole call object is compared (method, every flag present, even a false one, and any other
 * key), and the parameters deeply. The one leniency is the one the protocol grants: a nullable
 * field may be `null` or absent. Fields that are not nullable, array elements and the insides of
 * `object` values are compared as they are.
 */
import { isDeepStrictEqual } from "node:util";
import type { InterfaceDefinition, MethodMember, VarlinkType } from "@varlink-ts/runtime/idl";
import { descriptor } from "../gen/org.varlink.certification.js";

/** The certification interface, parsed once (by the descriptor), to know which fields are nullable. */
function certificationInterface(): InterfaceDefinition {
  return descriptor.definition;
}

/**
 * True when `received` is the call `expected` describes. `expected.method` must be a method of
 * org.varlink.certification; its input type decides which fields are nullable.
 */
export function sameCall(expected: object, received: object): boolean {
  const { parameters: wantedParameters, ...wantedRest } = expected as Record<string, unknown>;
  const { parameters: receivedParameters, ...receivedRest } = received as Record<string, unknown>;
  if (!isDeepStrictEqual(receivedRest, wantedRest)) return false;
  const method = methodOf(expected);
  if (method === undefined) return false;
  return isDeepStrictEqual(
    withoutNulls(method.input, receivedParameters ?? {}),
    withoutNulls(method.input, wantedParameters ?? {}),
  );
}

function methodOf(call: object): MethodMember | undefined {
  const name = (call as { method?: unknown }).method;
  if (typeof name !== "string") return undefined;
  const iface = certificationInterface();
  const prefix = `${iface.name}.`;
  return name.startsWith(prefix) ? iface.methods.get(name.slice(prefix.length)) : undefined;
}

/** A copy of `value` without the nullable struct fields that are `null`, guided by `type`. */
function withoutNulls(type: VarlinkType, value: unknown): unknown {
  const resolved = resolve(type);
  if (value === null || typeof value !== "object") return value;
  switch (resolved.kind) {
    case "nullable":
      return withoutNulls(resolved.inner, value);
    case "struct": {
      if (Array.isArray(value)) return value;
      const record = value as Record<string, unknown>;
      const copy: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(record)) {
        const declared = resolved.fields.find((candidate) => candidate.name === key);
        if (declared === undefined) {
          copy[key] = field;
        } else if (!(field === null && resolve(declared.type).kind === "nullable")) {
          copy[key] = withoutNulls(declared.type, field);
        }
      }
      return copy;
    }
    case "array":
      return Array.isArray(value) ? value.map((element) => withoutNulls(resolved.element, element)) : value;
    case "map": {
      if (Array.isArray(value)) return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, element]) => [key, withoutNulls(resolved.value, element)]),
      );
    }
    default:
      return value;
  }
}

/** Follows a named type to its definition. */
function resolve(type: VarlinkType): VarlinkType {
  if (type.kind !== "named") return type;
  return certificationInterface().types.get(type.name)?.type ?? type;
}
