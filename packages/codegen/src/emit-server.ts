/**
 * The server side: the `Handlers` type (every method required) and `register(service,
 * handlers)`, which adds the interface to a runtime `VarlinkService`.
 */
import { StructureKind } from "ts-morph";
import type { EmitContext } from "./context.js";
import { docText, prose } from "./tsdoc.js";

/** Emits `Handlers` and `register`. */
export function emitServer(context: EmitContext): void {
  const { definition } = context.plan;
  const name = `\`${definition.name}\``;
  context.statements.push({
    kind: StructureKind.TypeAlias,
    leadingTrivia: "\n",
    name: "Handlers",
    isExported: true,
    type: `${context.runtimeType("Handlers", "HandlersOf")}<typeof descriptor>`,
    docs: [
      docText(
        prose(
          `The implementation of ${name}: one handler per method, each required. A handler gets the call's parameters, already checked against the interface, and the call's context, and returns the reply, a promise of it, or for \`more\` calls an async iterable of replies. Throwing one of this module's error classes replies with that error.`,
        ),
      ),
    ],
  });
  context.statements.push({
    kind: StructureKind.Function,
    name: "register",
    isExported: true,
    docs: [
      docText(
        prose(
          `Adds ${name} to \`service\`, answered by \`handlers\`, a plain object or a class instance (called with \`this\` set to it).`,
        ),
      ),
    ],
    parameters: [
      { name: "service", type: context.runtimeType("VarlinkService") },
      { name: "handlers", type: "Handlers" },
    ],
    returnType: "void",
    statements: ["service.addInterface(descriptor, handlers);"],
  });
}
