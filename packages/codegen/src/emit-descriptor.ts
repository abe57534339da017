/**
 * The interface descriptor: one typed value that names the interface, holds its IDL text, its
 * methods (wire names, types and call modes) and its error classes. Clients, handlers and mocks
 * are typed from it by the runtime, so every method's documentation lives here, once.
 */
import { StructureKind, VariableDeclarationKind } from "ts-morph";
import type { EmitContext } from "./context.js";
import type { PlannedMethod } from "./plan.js";
import { docComment, docText, prose } from "./tsdoc.js";

/** Emits `descriptor`. */
export function emitDescriptor(context: EmitContext): void {
  const { definition, methods, errors, bigint } = context.plan;
  const methodEntries = methods.map((method) => descriptorEntry(context, method));
  const errorList = errors.map((error) => error.className).join(", ");
  const lines = [
    `${context.runtime("defineInterface")}({`,
    `name: ${JSON.stringify(definition.name)},`,
    "description: interfaceDescription,",
    `methods: {${methodEntries.length === 0 ? "" : `\n${methodEntries.join("\n")}\n`}},`,
    ...(errors.length === 0 ? [] : [`errors: [${errorList}],`]),
    ...(bigint.descriptor === undefined ? [] : bigintEntry(bigint.descriptor)),
    "})",
  ];
  context.statements.push({
    kind: StructureKind.VariableStatement,
    leadingTrivia: "\n",
    declarationKind: VariableDeclarationKind.Const,
    isExported: true,
    declarations: [{ name: "descriptor", initializer: lines.join("\n") }],
    docs: [
      docText(
        prose(
          `The \`${definition.name}\` interface: its name, IDL text, methods and errors. Clients, handlers and mocks are typed from it.`,
        ),
        context.see(definition.position.line),
      ),
    ],
  });
}

/** The `bigint` entry: the selectors of the fields whose `int`s are bigints, or `true` for all. */
function bigintEntry(selectors: true | readonly string[]): string[] {
  if (selectors === true) {
    return [
      "/** Every `int` of the interface is a `bigint`, sent and received losslessly. */",
      "bigint: true,",
    ];
  }
  return [
    "/** The `int` fields that are `bigint`s, sent and received losslessly. */",
    `bigint: [${selectors.map((selector) => JSON.stringify(selector)).join(", ")}],`,
  ];
}

function descriptorEntry(context: EmitContext, method: PlannedMethod): string {
  const modeArgument = method.mode === "any" ? "" : `, ${JSON.stringify(method.mode)}`;
  const types = `${method.parametersName}, ${method.resultName}${modeArgument}`;
  // An undocumented method still says what it is when hovered.
  const description = method.doc.length > 0 ? method.doc : [`The \`${method.qualifiedName}\` method.`];
  const doc = docComment(docText(description, context.see(method.line)));
  return `${doc}\n${method.memberName}: ${context.runtime("method")}<${types}>(${JSON.stringify(method.varlinkName)}),`;
}
