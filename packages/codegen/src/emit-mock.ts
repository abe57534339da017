/**
 * The mock: `createMock(handlers)` serves the interface from a real `VarlinkService` (in memory,
 * or on an address) and hands back a connected client and the calls it received.
 */
import { StructureKind } from "ts-morph";
import type { EmitContext } from "./context.js";
import { docText, prose } from "./tsdoc.js";

/** Emits `Mock` and `createMock`. */
export function emitMock(context: EmitContext): void {
  const { definition } = context.plan;
  const testing = `${context.options.runtimeModule}/testing`;
  const name = `\`${definition.name}\``;
  context.statements.push({
    kind: StructureKind.TypeAlias,
    leadingTrivia: "\n",
    name: "Mock",
    isExported: true,
    type: `${context.importType(testing, "Mock", "MockOf")}<typeof descriptor>`,
    docs: [`A mock ${name} service and a client connected to it; see {@link createMock}.`],
  });
  context.statements.push({
    kind: StructureKind.Function,
    name: "createMock",
    isExported: true,
    docs: [
      docText(
        prose(
          `Serves ${name} with \`handlers\` from a real \`VarlinkService\` and returns a client connected to it, for tests. Every call is recorded in \`calls\`; a method without a handler replies \`MethodNotImplemented\`. The connection is in memory unless \`options.address\` asks for a listener.`,
        ),
      ),
    ],
    parameters: [
      { name: "handlers", type: "Partial<Handlers>", hasQuestionToken: true },
      { name: "options", type: context.importType(testing, "MockOptions"), hasQuestionToken: true },
    ],
    returnType: "Promise<Mock>",
    statements: [
      `return ${context.importValue(testing, "createMock", "mockOf")}(descriptor, handlers, options);`,
    ],
  });
}
