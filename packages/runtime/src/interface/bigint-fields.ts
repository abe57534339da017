/**
 * Which `int` fields of an interface are `bigint`s: the selectors of a descriptor's `bigint`
 * option resolved against the interface's definition.
 */
import type { Field, InterfaceDefinition, StructType, VarlinkType } from "../idl/model.js";

/** The `int` fields that are `bigint`s: every one, or those inside the selected fields. */
export type BigintFields = true | ReadonlySet<Field>;

/** No `int` is a `bigint`. */
export const NO_BIGINTS: BigintFields = new Set<Field>();

/**
 * Resolves selectors (`"Type.field"`, `"Method.field"`, `"Error.field"`, `"Type.field.inner"`)
 * against `definition`; `true` selects every `int`.
 * @throws TypeError for a selector that names no member or no field.
 */
export function resolveBigintFields(
  definition: InterfaceDefinition,
  selectors: true | readonly string[] | undefined,
): BigintFields {
  if (selectors === true) return true;
  if (selectors === undefined || selectors.length === 0) return NO_BIGINTS;
  const fields = new Set<Field>();
  for (const selector of selectors) {
    const [memberName = "", ...path] = selector.split(".");
    const structs = membersStructs(definition, memberName);
    if (structs.length === 0 || path.length === 0) {
      throw new TypeError(`bigint selector ${selector}: ${definition.name} has no member ${memberName} with a field there`);
    }
    let found = 0;
    for (const struct of structs) {
      const field = fieldAt(struct, path);
      if (field !== undefined) {
        fields.add(field);
        found += 1;
      }
    }
    if (found === 0) throw new TypeError(`bigint selector ${selector}: no such field in ${definition.name}`);
  }
  return fields;
}

/** The structs a member's fields live in: a type's, a method's parameters and result, an error's. */
function membersStructs(definition: InterfaceDefinition, name: string): StructType[] {
  const type = definition.types.get(name);
  if (type !== undefined) return type.type.kind === "struct" ? [type.type] : [];
  const method = definition.methods.get(name);
  if (method !== undefined) return [method.input, method.output];
  const error = definition.errors.get(name);
  return error === undefined ? [] : [error.parameters];
}

/** The field at `path` in `struct`, going down through anonymous structs. */
function fieldAt(struct: StructType, path: readonly string[]): Field | undefined {
  const [name, ...rest] = path;
  const field = struct.fields.find((candidate) => candidate.name === name);
  if (field === undefined || rest.length === 0) return field;
  const inner = anonymousStruct(field.type);
  return inner === undefined ? undefined : fieldAt(inner, rest);
}

/** The anonymous struct a type holds, through `?`, `[]` and `[string]`. */
function anonymousStruct(type: VarlinkType): StructType | undefined {
  switch (type.kind) {
    case "struct":
      return type;
    case "nullable":
      return anonymousStruct(type.inner);
    case "array":
      return anonymousStruct(type.element);
    case "map":
      return anonymousStruct(type.value);
    default:
      return undefined;
  }
}
