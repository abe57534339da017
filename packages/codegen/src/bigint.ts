/**
 * The `bigint` option: which `int` fields are rendered `bigint` instead of `number`.
 *
 * A selector names an interface (`org.example.Foo`: every `int` of it) and then, optionally, a
 * member and a path of fields through anonymous structs (`org.example.Foo.Type.field.inner`).
 * Interface names contain dots, so a selector belongs to the interface whose name is its longest
 * prefix ending at a dot or at the end. The rest of a selector is resolved by the runtime's
 * `selectBigintFields`, as a descriptor's selectors are, so the two always agree; every one must
 * name something that holds an `int`, so a typo fails the generation.
 */
import { innermost, selectBigintFields } from "@varlink-ts/runtime/idl";
import type { Field, InterfaceDefinition } from "@varlink-ts/runtime/idl";

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
    for (const field of selectBigintFields(definition, path, selector)) addField(field, fields);
    relative.add(path);
  }
  return {
    all,
    fields,
    descriptor: all ? true : [...relative].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

/** Adds `field` and the fields of every anonymous struct inside it. */
function addField(field: Field, into: Set<Field>): void {
  into.add(field);
  const inner = innermost(field.type);
  if (inner.kind === "struct") for (const nested of inner.fields) addField(nested, into);
}
