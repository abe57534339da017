/**
 * The plan of one generated module: every declaration it will hold, named and in order, worked
 * out from the interface definition before any code is written.
 *
 * Naming happens here, in a fixed order so the result is predictable (see names.ts): first the
 * names written in the IDL (types, then errors), then the derived ones in source order, depth
 * first. Types that no emitted part needs are left out unless `types` is emitted.
 */
import { methodMode } from "@varlink-ts/runtime/idl";
import type {
  EnumType,
  EnumValue,
  Field,
  InterfaceDefinition,
  MethodMode,
  StructType,
  VarlinkType,
} from "@varlink-ts/runtime/idl";
import type { BigintSelection } from "./bigint.js";
import { lowerCamelCase, memberNameTable, moduleNameTable, pascalCase } from "./names.js";
import type { NameTable } from "./names.js";
import type { ResolvedOptions } from "./options.js";
import { docLines, prose } from "./tsdoc.js";

/** A struct that becomes an `export interface` (or `Record<string, never>` when empty). */
export interface PlannedStruct {
  readonly kind: "struct";
  readonly name: string;
  readonly fields: readonly Field[];
  /** Description lines, already escaped. */
  readonly doc: readonly string[];
  readonly line: number;
}

/** An enum that becomes a string-literal union and a `<Name>Values` array. */
export interface PlannedEnum {
  readonly kind: "enum";
  readonly name: string;
  readonly valuesName: string;
  readonly values: readonly EnumValue[];
  readonly doc: readonly string[];
  readonly line: number;
}

/** A generated type declaration. */
export type PlannedType = PlannedStruct | PlannedEnum;

/** Declarations that are emitted together: a type and the anonymous types inside it. */
export interface TypeGroup {
  readonly declarations: readonly PlannedType[];
  /** IDL names of the named types these declarations refer to. */
  readonly references: ReadonlySet<string>;
}

/** A varlink method. */
export interface PlannedMethod {
  /** The varlink name, e.g. `Ping`. */
  readonly varlinkName: string;
  /** The fully qualified name, e.g. `org.example.more.Ping`. */
  readonly qualifiedName: string;
  /** The client method and handler name, e.g. `ping`. */
  readonly memberName: string;
  readonly parametersName: string;
  readonly resultName: string;
  /** The call modes systemd's markers in the method's comment allow. */
  readonly mode: MethodMode;
  readonly doc: readonly string[];
  readonly line: number;
}

/** A varlink error and its class. */
export interface PlannedError {
  readonly varlinkName: string;
  readonly qualifiedName: string;
  readonly className: string;
  readonly parametersName: string;
  readonly parametersEmpty: boolean;
  /** The runtime's class for one of the seven standard errors, which the class extends. */
  readonly standardBase: string | undefined;
  readonly parameters: TypeGroup;
  readonly doc: readonly string[];
  readonly line: number;
}

/** Everything one module will hold. */
export interface ModulePlan {
  readonly definition: InterfaceDefinition;
  /** The file name `@see` tags and the header use, e.g. `org.example.more.varlink`. */
  readonly sourceName: string;
  /** TypeScript names of the IDL's named types. */
  readonly typeNames: ReadonlyMap<string, string>;
  /** TypeScript names of anonymous structs and enums, by model node. */
  readonly anonymousNames: ReadonlyMap<VarlinkType, string>;
  /** Type groups for the types section, in source order, already filtered by reachability. */
  readonly types: readonly TypeGroup[];
  readonly methods: readonly PlannedMethod[];
  readonly errors: readonly PlannedError[];
  /** The `int` fields rendered `bigint`, from the `bigint` option. */
  readonly bigint: BigintSelection;
}

const STANDARD_INTERFACE = "org.varlink.service";
const STANDARD_ERRORS = new Set([
  "InterfaceNotFound",
  "MethodNotFound",
  "MethodNotImplemented",
  "InvalidParameter",
  "PermissionDenied",
  "ExpectedMore",
  "ExpectedUpgrade",
]);

/** Works out the names and declarations of the module for `definition`. */
export function planModule(
  definition: InterfaceDefinition,
  sourceName: string,
  options: ResolvedOptions,
  bigint: BigintSelection,
): ModulePlan {
  const names = moduleNameTable();
  const typeNames = new Map<string, string>();
  const errorClassNames = new Map<string, string>();

  // Names written in the IDL come first, so they keep their spelling whenever they can.
  const collidedTypes: string[] = [];
  const collidedErrors: string[] = [];
  for (const member of definition.members) {
    if (member.kind === "type") {
      if (names.tryClaim(member.name)) typeNames.set(member.name, member.name);
      else collidedTypes.push(member.name);
    } else if (member.kind === "error") {
      if (names.tryClaim(member.name)) errorClassNames.set(member.name, member.name);
      else collidedErrors.push(member.name);
    }
  }
  for (const name of collidedTypes) typeNames.set(name, names.claim(name));
  for (const name of collidedErrors) {
    const withSuffix = `${name}Error`;
    errorClassNames.set(name, names.tryClaim(withSuffix) ? withSuffix : names.claim(withSuffix));
  }

  const anonymousNames = new Map<VarlinkType, string>();
  const walker = new GroupBuilder(names, anonymousNames);
  const members = memberNameTable();
  const typeGroups = new Map<string, TypeGroup>();
  const methodGroups: TypeGroup[] = [];
  const methods: PlannedMethod[] = [];
  const errors: PlannedError[] = [];
  const order: Array<{ kind: "type"; name: string } | { kind: "method"; groups: TypeGroup[] }> = [];

  for (const member of definition.members) {
    if (member.kind === "type") {
      const tsName = typeNames.get(member.name) ?? member.name;
      const group = walker.group(
        member.name,
        tsName,
        member.type,
        docLines(member.doc),
        member.position.line,
      );
      typeGroups.set(member.name, group);
      order.push({ kind: "type", name: member.name });
    } else if (member.kind === "method") {
      const parametersName = names.claim(`${member.name}Parameters`);
      const parameters = walker.group(
        `${member.name}Parameters`,
        parametersName,
        member.input,
        [`The parameters of the \`${member.name}\` method.`],
        member.position.line,
      );
      const resultName = names.claim(`${member.name}Result`);
      const result = walker.group(
        `${member.name}Result`,
        resultName,
        member.output,
        [`What the \`${member.name}\` method returns.`],
        member.position.line,
      );
      methodGroups.push(parameters, result);
      order.push({ kind: "method", groups: [parameters, result] });
      methods.push({
        varlinkName: member.name,
        qualifiedName: `${definition.name}.${member.name}`,
        memberName: members.claim(lowerCamelCase(member.name)),
        parametersName,
        resultName,
        mode: methodMode(member),
        doc: docLines(member.doc),
        line: member.position.line,
      });
    } else {
      const className = errorClassNames.get(member.name) ?? member.name;
      const parametersName = names.claim(`${member.name}Parameters`);
      const parameters = walker.group(
        `${member.name}Parameters`,
        parametersName,
        member.parameters,
        [`The parameters of the \`${member.name}\` error.`],
        member.position.line,
      );
      errors.push({
        varlinkName: member.name,
        qualifiedName: `${definition.name}.${member.name}`,
        className,
        parametersName,
        parametersEmpty: member.parameters.fields.length === 0,
        standardBase:
          definition.name === STANDARD_INTERFACE && STANDARD_ERRORS.has(member.name)
            ? `${member.name}Error`
            : undefined,
        parameters,
        doc: docLines(member.doc),
        line: member.position.line,
      });
    }
  }

  const wantsMethods =
    options.emit.has("types") || options.emit.has("client") || options.emit.has("server");
  const included = reachableTypes(
    typeGroups,
    [...errors.map((error) => error.parameters), ...(wantsMethods ? methodGroups : [])],
    options.emit.has("types"),
  );

  const types: TypeGroup[] = [];
  for (const entry of order) {
    if (entry.kind === "type") {
      const group = typeGroups.get(entry.name);
      if (group !== undefined && included.has(entry.name)) types.push(group);
    } else if (wantsMethods) {
      types.push(...entry.groups);
    }
  }

  return {
    definition,
    sourceName,
    typeNames,
    anonymousNames,
    types,
    methods: wantsMethods ? methods : [],
    errors,
    bigint,
  };
}

/** The IDL names of the named types to emit: all of them, or those the roots reach. */
function reachableTypes(
  typeGroups: ReadonlyMap<string, TypeGroup>,
  roots: readonly TypeGroup[],
  all: boolean,
): Set<string> {
  if (all) return new Set(typeGroups.keys());
  const reached = new Set<string>();
  const pending = roots.flatMap((group) => [...group.references]);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (reached.has(name)) continue;
    reached.add(name);
    const group = typeGroups.get(name);
    if (group !== undefined) pending.push(...group.references);
  }
  return reached;
}

/** Names and collects a declaration with the anonymous types nested in it, depth first. */
class GroupBuilder {
  constructor(
    private readonly names: NameTable,
    private readonly anonymousNames: Map<VarlinkType, string>,
  ) {}

  /**
   * The group for a struct or enum declared as `tsName`. `base` is the IDL-derived name nested
   * types are named after (`MyType` → `MyTypeStruct`), so a renamed parent does not drag its `_`
   * into every child's name.
   */
  group(
    base: string,
    tsName: string,
    type: StructType | EnumType,
    doc: readonly string[],
    line: number,
  ): TypeGroup {
    const declarations: PlannedType[] = [];
    const references = new Set<string>();
    this.declare(base, tsName, type, doc, line, declarations, references);
    return { declarations, references };
  }

  private declare(
    base: string,
    tsName: string,
    type: StructType | EnumType,
    doc: readonly string[],
    line: number,
    declarations: PlannedType[],
    references: Set<string>,
  ): void {
    if (type.kind === "enum") {
      declarations.push({
        kind: "enum",
        name: tsName,
        valuesName: this.names.claim(`${base}Values`),
        values: type.values,
        doc,
        line,
      });
      return;
    }
    declarations.push({ kind: "struct", name: tsName, fields: type.fields, doc, line });
    for (const field of type.fields) {
      collectReferences(field.type, references);
      const nested = anonymousType(field.type);
      if (nested === undefined) continue;
      const nestedBase = base + pascalCase(field.name);
      const nestedName = this.names.claim(nestedBase);
      this.anonymousNames.set(nested, nestedName);
      const what = nested.kind === "struct" ? "struct" : "enum";
      this.declare(
        nestedBase,
        nestedName,
        nested,
        prose(`The anonymous ${what} in the \`${field.name}\` field of {@link ${tsName}}.`),
        nested.position.line,
        declarations,
        references,
      );
    }
  }
}

/** The anonymous struct or enum a field's type holds, through `?`, `[]` and `[string]`. */
function anonymousType(type: VarlinkType): StructType | EnumType | undefined {
  switch (type.kind) {
    case "struct":
    case "enum":
      return type;
    case "nullable":
      return anonymousType(type.inner);
    case "array":
      return anonymousType(type.element);
    case "map":
      return anonymousType(type.value);
    default:
      return undefined;
  }
}

/** Adds the named types `type` refers to; the fields of anonymous structs are walked by `declare`. */
function collectReferences(type: VarlinkType, into: Set<string>): void {
  switch (type.kind) {
    case "named":
      into.add(type.name);
      return;
    case "nullable":
      collectReferences(type.inner, into);
      return;
    case "array":
      collectReferences(type.element, into);
      return;
    case "map":
      collectReferences(type.value, into);
      return;
    default:
      return;
  }
}
