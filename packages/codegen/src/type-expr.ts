/**
 * Varlink types as TypeScript type expressions.
 *
 * `bool` → `boolean`, `int` and `float` → `number`, `string` → `string`, `object` → `JsonObject`
 * (a JSON object), `any` → `NonNullable<JsonValue>` (any JSON value but `null`: `?any` takes it),
 * `[]T` → `T[]`, `[string]T` → `Record<string, T>`, `[string]()` → `StringSet`, `?T` → `T | null`
 * (and an optional property), named and anonymous types → their declared name. An `int` in a
 * field the `bigint` option selects is a `bigint`.
 *
 * These are the shapes values have on the wire, which is what arrives. What may be sent is wider
 * (`undefined` for an optional field, any object for `object`, a `Set` or a `Map` for a set or a
 * map); the runtime derives it from these types with its `Input` transform.
 */
import type { Field, VarlinkType } from "@varlink-ts/runtime/idl";
import type { ModulePlan } from "./plan.js";
import { propertyKey } from "./names.js";

/** What a module's type expressions need declared or imported besides the planned types. */
export interface TypeUsage {
  /** `JsonValue` from the runtime. */
  jsonValue: boolean;
  /** `JsonObject` from the runtime. */
  jsonObject: boolean;
  /** The module's own `StringSet` alias. */
  stringSet: boolean;
}

/** Renders type expressions for one module and records what they use. */
export class TypeRenderer {
  readonly usage: TypeUsage = { jsonValue: false, jsonObject: false, stringSet: false };

  constructor(private readonly plan: ModulePlan) {}

  /** The type expression for `type`; its `int`s are `bigint`s when `bigint` is set. */
  render(type: VarlinkType, bigint = false): string {
    switch (type.kind) {
      case "bool":
        return "boolean";
      case "int":
        return bigint ? "bigint" : "number";
      case "float":
        return "number";
      case "string":
        return "string";
      case "object":
        this.usage.jsonObject = true;
        return "JsonObject";
      case "any":
        this.usage.jsonValue = true;
        return "NonNullable<JsonValue>";
      case "named":
        return this.plan.typeNames.get(type.name) ?? type.name;
      case "struct":
      case "enum":
        return this.anonymousName(type);
      case "array": {
        const element = this.render(type.element, bigint);
        return type.element.kind === "nullable" ? `(${element})[]` : `${element}[]`;
      }
      case "map":
        return `Record<string, ${this.render(type.value, bigint)}>`;
      case "set":
        this.usage.stringSet = true;
        return "StringSet";
      case "nullable":
        return `${this.render(type.inner, bigint)} | null`;
    }
  }

  /**
   * A struct field as an interface property: `name: T`, or `name?: T | null` when nullable. Its
   * `int`s are `bigint`s when the `bigint` option selects the field (anonymous structs inside
   * it are declared on their own, and their fields are selected with it).
   */
  property(field: Field): { name: string; type: string; optional: boolean } {
    const { all, fields } = this.plan.bigint;
    return {
      name: propertyKey(field.name),
      type: this.render(field.type, all || fields.has(field)),
      optional: field.type.kind === "nullable",
    };
  }

  private anonymousName(type: VarlinkType): string {
    const name = this.plan.anonymousNames.get(type);
    if (name === undefined) {
      // Only reachable if the plan missed a nested type: a generator bug, not an input error.
      throw new Error(`no name was planned for the anonymous type at line ${type.position.line}`);
    }
    return name;
  }
}
