/**
 * Type declarations: structs as interfaces, enums as string-literal unions with a `Values` array,
 * and the `StringSet` alias for `[string]()`.
 */
import { StructureKind, VariableDeclarationKind } from "ts-morph";
import type { PropertySignatureStructure } from "ts-morph";
import type { EmitContext } from "./context.js";
import type { PlannedEnum, PlannedStruct, PlannedType, TypeGroup } from "./plan.js";
import { docLines, docText } from "./tsdoc.js";

/** Emits the types section: every planned type group, in source order. */
export function emitTypes(context: EmitContext): void {
  for (const group of context.plan.types) emitTypeGroup(context, group);
}

/** Emits one declaration and the anonymous types nested in it. */
export function emitTypeGroup(context: EmitContext, group: TypeGroup): void {
  for (const declaration of group.declarations) emitType(context, declaration);
}

function emitType(context: EmitContext, declaration: PlannedType): void {
  if (declaration.kind === "enum") emitEnum(context, declaration);
  else emitStruct(context, declaration);
}

function emitStruct(context: EmitContext, struct: PlannedStruct): void {
  const docs = [docText(struct.doc, context.see(struct.line))];
  if (struct.fields.length === 0) {
    // An empty interface would accept any object; this accepts only `{}`.
    context.statements.push({
      kind: StructureKind.TypeAlias,
      leadingTrivia: "\n",
      name: struct.name,
      isExported: true,
      type: "Record<string, never>",
      docs,
    });
    return;
  }
  const properties = struct.fields.map((field): PropertySignatureStructure => {
    const property = context.types.property(field);
    const doc = docLines(field.doc);
    return {
      kind: StructureKind.PropertySignature,
      name: property.name,
      type: property.type,
      hasQuestionToken: property.optional,
      docs: doc.length > 0 ? [docText(doc)] : [],
    };
  });
  context.statements.push({
    kind: StructureKind.Interface,
    name: struct.name,
    isExported: true,
    properties,
    docs,
  });
}

function emitEnum(context: EmitContext, enumeration: PlannedEnum): void {
  const documented = enumeration.values.filter((value) => value.doc.length > 0);
  const valueDocs = documented.flatMap((value) => {
    const [first = "", ...rest] = docLines(value.doc);
    return [`- \`${value.name}\`: ${first}`, ...rest.map((line) => `  ${line}`)];
  });
  const literals = enumeration.values.map((value) => JSON.stringify(value.name));
  context.statements.push({
    kind: StructureKind.TypeAlias,
    leadingTrivia: "\n",
    name: enumeration.name,
    isExported: true,
    type: literals.join(" | "),
    docs: [docText(enumeration.doc, valueDocs, context.see(enumeration.line))],
  });
  context.statements.push({
    kind: StructureKind.VariableStatement,
    leadingTrivia: "\n",
    declarationKind: VariableDeclarationKind.Const,
    isExported: true,
    declarations: [
      { name: enumeration.valuesName, initializer: `[${literals.join(", ")}] as const` },
    ],
    docs: [
      docText(
        [`Every value of {@link ${enumeration.name}}, in IDL order.`],
        context.see(enumeration.line),
      ),
    ],
  });
}

/**
 * Declares `StringSet` before statement `index` when the module used it: the wire form of
 * `[string]()`, an object whose values are all `{}`.
 */
export function emitStringSet(context: EmitContext, index: number): void {
  if (!context.types.usage.stringSet) return;
  context.statements.splice(
    index,
    0,
    [
      "",
      "/** A varlink `[string]()`: a set of strings, sent as an object whose values are all `{}`. */",
      "export type StringSet = Record<string, Record<string, never>>;",
      "",
    ].join("\n"),
  );
}
