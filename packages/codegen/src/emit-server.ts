/**
 * The server side: `interface Handlers` (one optional method per varlink method) and
 * `register(service, handlers)`, which adds the interface to a runtime `VarlinkService`.
 */
import { StructureKind } from "ts-morph";
import type { MethodSignatureStructure } from "ts-morph";
import type { EmitContext } from "./context.js";
import type { PlannedMethod } from "./plan.js";
import { docText, prose } from "./tsdoc.js";

/** Emits `Handlers` and `register`. */
export function emitServer(context: EmitContext): void {
  const { definition, methods } = context.plan;
  context.statements.push({
    kind: StructureKind.Interface,
    name: "Handlers",
    isExported: true,
    docs: [
      docText(
        prose(`The implementation of \`${definition.name}\`: one method per varlink method.`),
        prose(
          "A handler gets the call's parameters, already checked against the interface, and the call's context. It returns the reply (or nothing, when the reply has no fields), a promise of it, or, for calls made with `more`, an async iterable of replies. Throwing one of this module's error classes replies with that error. A method left out is answered with `org.varlink.service.MethodNotImplemented`.",
        ),
        context.see(definition.position.line),
      ),
    ],
    methods: methods.map((method) => handlerSignature(context, method)),
  });

  const entries = methods.map(
    (method) => `${method.varlinkName}: handlers.${method.memberName}?.bind(handlers),`,
  );
  const handlersName = methods.length === 0 ? "_handlers" : "handlers";
  context.statements.push({
    kind: StructureKind.Function,
    name: "register",
    isExported: true,
    docs: [
      docText(
        prose(
          `Adds \`${definition.name}\` to \`service\`, answering its methods with \`handlers\` (called with \`this\` set to \`handlers\`, so a class instance works) and \`GetInterfaceDescription\` with {@link interfaceDescription}.`,
        ),
        [
          "@param service - The service to add the interface to.",
          "@param handlers - The methods to implement; missing ones reply `MethodNotImplemented`.",
        ],
      ),
    ],
    parameters: [
      { name: "service", type: context.runtimeType("VarlinkService") },
      { name: handlersName, type: "Partial<Handlers>" },
    ],
    returnType: "void",
    statements: [`service.addInterface(interfaceDescription, {\n${entries.join("\n")}\n});`],
  });
}

function handlerSignature(context: EmitContext, method: PlannedMethod): MethodSignatureStructure {
  const result = method.resultName;
  const returned = method.resultEmpty
    ? `${result} | void | Promise<${result} | void> | AsyncIterable<${result}>`
    : `${result} | Promise<${result}> | AsyncIterable<${result}>`;
  return {
    kind: StructureKind.MethodSignature,
    name: method.memberName,
    hasQuestionToken: true,
    docs: [docText(method.doc, [`Answers \`${method.qualifiedName}\`.`], context.see(method.line))],
    parameters: [
      { name: "parameters", type: method.parametersName },
      // Typed with the reply, so `context.reply()` of a `more` call takes only valid replies.
      { name: "context", type: `${context.runtimeType("CallContext")}<${result}>` },
    ],
    returnType: returned,
  };
}
