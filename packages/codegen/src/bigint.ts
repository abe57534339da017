/**
 * The `bigint` option: which `int` fields are rendered `bigint` instead of `number`.
 *
 * A selector names an interface (`org.example.Foo`: every `int` of it) and then, optionally, a
 * member and a path of fields through anonymous structs (`org.example.Foo.Type.field.inner`).
 * Interface names contain dots, so a selector belongs to the interface whose name is its longest
 * prefix ending at a dot or at the end. Every selector must name something that holds an `int`,
 * so a typo fails the generation instead of silently leaving a field a `number`.
 */
import type { Field, InterfaceDefinition, StructType, VarlinkType } from "@varlink-ts/runtime/idl";

/** What one module's types and descriptor need to know about its bigints. */
export interface BigintSelection {
  /** Every `int` of the interface is a bigint. */
  readonly all: boolean;
  /**
   * The fields whose `int`s are bigints: the selected ones and the fields of the anonymous
   * structs inside them (named types are not followed).
   */
  readonly fields: ReadonlySet<Field>;
  /**
   * The descriptor's `bigint` entry: `true` for the whole interface, else the selectors relative
   * to the interface, sorted and deduplicated; `undefined` when nothing is selected.
   */
  readonly descriptor: true | readonly string[] | undefined;
}

/** The selection of a module no selector names. */
export const NO_BIGINT: BigintSelection = { all: false, fields: new Set(), descriptor: undefined };

/**
 * Sorts the selectors by the interface each names, among `interfaceNames`.
 *
 * @throws `TypeError` naming a selector that names none of them.
 */
export function assignSelectors(
  selectors: readonly string[],
  interfaceNames: Iterable<string>,
): Map<string, string[]> {
  const names = [...interfaceNames];
  const assigned = new Map<string, string[]>();
  for (const selector of selectors) {
    let owner: string | undefined;
    for (const name of names) {
      const matches = selector === name || selector.startsWith(`${name}.`);
      if (matches && (owner === undefined || name.length > owner.length)) owner = name;
    }
    if (owner === undefined) {
      throw new TypeError(`bigint selector "${selector}" names no interface among the inputs`);
    }
    const list = assigned.get(owner) ?? [];
    list.push(selector);
    assigned.set(owner, list);
  }
  return assigned;
}

/**
 * Checks `selectors`, all of which belong to `definition`, and works out the fields they select.
 *
 * @throws `TypeError` naming a selector that names no member, no field, or a field without `int`.
 */
export function resolveSelection(
  definition: InterfaceDefinition,
  selectors: readonly string[],
): BigintSelection {
  if (selectors.length === 0) return NO_BIGINT;
  let all = false;
  const fields = new Set<Field>();
  const relative = new Set<string>();
  for (const selector of selectors) {
    if (selector === definition.name) {
      all = true;
      continue;
    }
    const path = selector.slice(definition.name.length + 1);
    for (const field of selectedFields(definition, selector, path.split("."))) {
      addField(field, fields);
    }
    relative.add(path);
  }
  return {
    all,
    fields,
    descriptor: all ? true : [...relative].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

/** The fields `Member.field.inner...` names: one, or for a method up to two (parameters, result). */
function selectedFields(
  definition: InterfaceDefinition,
  selector: string,
  [memberName = "", ...fieldPath]: readonly string[],
): Field[] {
  const problem = (reason: string): TypeError =>
    new TypeError(`bigint selector "${selector}": ${reason}`);
  const member = definition.members.find((candidate) => candidate.name === memberName);
  if (member === undefined) {
    throw problem(`${definition.name} has no type, method or error ${memberName}`);
  }
  if (fieldPath.length === 0) {
    throw problem(
      `name a field of the ${member.kind} ${memberName} ("${selector}.<field>"), or the whole interface ("${definition.name}")`,
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
    throw problem(
      `${memberName} has no field ${fieldPath[0] ?? ""} in its parameters or its result`,
    );
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
function innermost(type: VarlinkType): VarlinkType {
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

/** Adds `field` and the fields of every anonymous struct inside it. */
function addField(field: Field, into: Set<Field>): void {
  into.add(field);
  const inner = innermost(field.type);
  if (inner.kind === "struct") for (const nested of inner.fields) addField(nested, into);
}
