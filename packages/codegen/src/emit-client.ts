/**
 * The client side: the `Client` type (the runtime's typed client over the descriptor) and
 * `connect(address)`, which opens a connection and returns a client on it.
 */
import { StructureKind } from "ts-morph";
import type { EmitContext } from "./context.js";
import { docText, prose } from "./tsdoc.js";

/** Emits `Client` and `connect`. */
export function emitClient(context: EmitContext): void {
  const { definition } = context.plan;
  const name = `\`${definition.name}\``;
  context.statements.push({
    kind: StructureKind.TypeAlias,
    leadingTrivia: "\n",
    name: "Client",
    isExported: true,
    type: `${context.runtimeType("Client", "ClientOf")}<typeof descriptor>`,
    docs: [
      docText(
        prose(
          `A client of ${name}: one member per method. \`client.method(parameters, options)\` makes a plain call; \`.more()\`, \`.oneway()\` and \`.upgrade()\` make it with that flag, where the method allows it. Declared errors reject as this module's classes.`,
        ),
      ),
    ],
  });
  context.statements.push({
    kind: StructureKind.Function,
    name: "connect",
    isExported: true,
    isAsync: true,
    docs: [
      docText(
        prose(
          `Connects to \`address\` (\`unix:/path\`, \`unix:@name\`, \`tcp:host:port\`, \`exec:/path\`, ...) and returns a client of ${name} on the new connection.`,
        ),
      ),
    ],
    parameters: [
      { name: "address", type: `string | ${context.runtimeType("Address")}` },
      { name: "options", type: context.runtimeType("ConnectOptions"), hasQuestionToken: true },
    ],
    returnType: "Promise<Client>",
    statements: [
      `return ${context.runtime("createClient")}(descriptor, await ${context.runtime("connect", "openConnection")}(address, options));`,
    ],
  });
}
