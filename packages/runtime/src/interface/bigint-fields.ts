/**
 * Which `int` fields of an interface are `bigint`s: the selectors of a descriptor's `bigint`
 * option (or of the code generator's) resolved against the interface's definition. Every
 * selector must name a field that holds an `int`, so a typo fails at once instead of silently
 * leaving a field a `number`.
 */
import type { Field, InterfaceDefinition, StructType, VarlinkType } from "../idl/model.js";

/** The `int` fields that are `bigint`s: every one, or those inside the selected fields. */
export type BigintFields = true | ReadonlySet<Field>;

/** No `int` is a `bigint`. */
export const NO_BIGINTS: BigintFields = new Set<Field>();

/**
 * Resolves selectors (`"Type.field"`, `"Method.field"`, `"Error.field"`, `"Type.field.inner"`)
 * against `definition`; `true` selects every `int`.
 * @throws TypeError for a selector that names no member, no field, or a field without an `int`.
 */
export function resolveBigintFields(
  definition: InterfaceDefinition,
  selectors: true | readonly string[] | undefined,
): BigintFields {
  if (selectors === true) return true;
  if (selectors === undefined || selectors.length === 0) return NO_BIGINTS;
  const fields = new Set<Field>();
  for (const selector of selectors) {
    for (const field of selectBigintFields(definition, selector, selector)) fields.add(field);
  }
  return fields;
}

/**
 * The fields `selector` (`Member.field.inner…`, relative to `definition`) names: one, or for a
 * method up to two (its parameters' and its result's field of that name).
 *
 * @param shown - The selector as the user wrote it, for the error message.
 * @throws TypeError naming `shown` for a selector that names no member, no field, or a field
 *   without an `int`.
 */
export function selectBigintFields(
  definition: InterfaceDefinition,
  selector: string,
  shown: string,
): Field[] {
  const [memberName = "", ...fieldPath] = selector.split(".");
  const problem = (reason: string): TypeError =>
    new TypeError(`bigint selector "${shown}": ${reason}`);
  const member = definition.members.find((candidate) => candidate.name === memberName);
  if (member === undefined) {
    throw problem(`${definition.name} has no type, method or error ${memberName}`);
  }
  if (fieldPath.length === 0) {
    throw problem(
      `name a field of the ${member.kind} ${memberName} ("${shown}.<field>"), or the whole interface ("${definition.name}")`,
    );
  }
  let structs: StructType[];
  if (member.kind === "type") {
    if (member.type.kind === "enum") throw problem(`${memberName} is an enum, which has no fields`);
    structs = [member.type];
  } else if (member.kind === "method") {
    structs = [member.input, member.output];
  } else {
    structs = [member.parameters];
  }

  const walks = structs.map((struct) => walk(definition, struct, fieldPath, memberName));
  const found = walks.flatMap((result) => ("field" in result ? [result.field] : []));
  if (found.length === 0) {
    // Why the walk that got furthest stopped; a method's field may be in either struct.
    const failures = walks.flatMap((result) => ("field" in result ? [] : [result]));
    const furthest = failures.reduce((a, b) => (b.depth > a.depth ? b : a));
    if (furthest.depth > 0 || member.kind !== "method") throw problem(furthest.reason);
    throw problem(`${memberName} has no field ${fieldPath[0] ?? ""} in its parameters or its result`);
  }
  if (!found.some((field) => holdsInt(field.type))) {
    const at = [memberName, ...fieldPath].join(".");
    const named = found.map((field) => innermost(field.type)).find((type) => type.kind === "named");
    throw problem(
      named?.kind === "named"
        ? `${at} is of the named type ${named.name}, whose fields have selectors of their own ("${definition.name}.${named.name}.<field>")`
        : `${at} holds no int`,
    );
  }
  return found;
}

/** Follows `path` from `struct` (at `at`) through anonymous structs to a field. */
function walk(
  definition: InterfaceDefinition,
  struct: StructType,
  [name = "", ...rest]: readonly string[],
  at: string,
  depth = 0,
): { field: Field } | { reason: string; depth: number } {
  const field = struct.fields.find((candidate) => candidate.name === name);
  if (field === undefined) return { reason: `${at} has no field ${name}`, depth };
  if (rest.length === 0) return { field };
  const fieldAt = `${at}.${name}`;
  const inner = innermost(field.type);
  if (inner.kind === "struct") return walk(definition, inner, rest, fieldAt, depth + 1);
  const reason =
    inner.kind === "named"
      ? `${fieldAt} is of the named type ${inner.name}: select its fields as "${definition.name}.${inner.name}.${rest.join(".")}"`
      : `${fieldAt} is not an anonymous struct, so it has no field ${rest[0] ?? ""}`;
  return { reason, depth: depth + 1 };
}

/** The type inside `?`, `[]` and `[string]`. */
export function innermost(type: VarlinkType): VarlinkType {
  switch (type.kind) {
    case "nullable":
      return innermost(type.inner);
    case "array":
      return innermost(type.element);
    case "map":
      return innermost(type.value);
    default:
      return type;
  }
}

/** Whether `type` has an `int` in it, through `?`, `[]`, `[string]` and anonymous structs. */
function holdsInt(type: VarlinkType): boolean {
  const inner = innermost(type);
  if (inner.kind === "int") return true;
  return inner.kind === "struct" && inner.fields.some((field) => holdsInt(field.type));
}
