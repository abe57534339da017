/**
 * Error classes: one per `error`, extending the runtime's `VarlinkError` with typed parameters.
 * Nothing is registered: the descriptor lists them, and clients of the interface map error
 * replies to them.
 */
import { StructureKind } from "ts-morph";
import type { EmitContext } from "./context.js";
import { emitTypeGroup } from "./emit-types.js";
import type { PlannedError } from "./plan.js";
import { docText, } from "./tsdoc.js";

/** Emits the parameters and class of every error, in source order. */
export function emitErrors(context: EmitContext): void {
  for (const error of context.plan.errors) emitError(context, error);
}

function emitError(context: EmitContext, error: PlannedError): void {
  emitTypeGroup(context, error.parameters);
  const { className, parametersName } = error;
  // The seven standard errors extend the runtime's own classes, so `instanceof
  // MethodNotFoundError` keeps working once this module registers its subclass.
  const base =
    error.standardBase === undefined
      ? `${context.runtime("VarlinkError")}<${parametersName}>`
      : context.runtime(error.standardBase);
  const superArguments =
    error.standardBase === undefined
      ? `${className}.varlinkName, parameters, options`
      : "parameters, options";
  context.statements.push({
    kind: StructureKind.Class,
    name: className,
    isExported: true,
    extends: base,
    docs: [
      docText(error.doc, [`The \`${error.qualifiedName}\` error reply.`], context.see(error.line)),
    ],
    properties: [
      {
        name: "varlinkName",
        isStatic: true,
        isReadonly: true,
        hasOverrideKeyword: error.standardBase !== undefined,
        initializer: JSON.stringify(error.qualifiedName),
        docs: ["The fully qualified varlink name of this error."],
      },
    ],
    ctors: [
      {
        docs: [
          docText([
            "@param parameters - The error's parameters, as sent on the wire.",
            "@param options - `cause`, as for any `Error`.",
          ]),
        ],
        parameters: [
          error.parametersEmpty
            ? { name: "parameters", type: parametersName, initializer: "{}" }
            : { name: "parameters", type: parametersName },
          { name: "options", type: "ErrorOptions", hasQuestionToken: true },
        ],
        statements: [`super(${superArguments});`],
      },
    ],
  });
}
