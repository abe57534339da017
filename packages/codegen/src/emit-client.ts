/**
 * The typed client: `class Client`, wrapping a runtime `VarlinkClient`, with one method per
 * varlink method whose overloads follow the call flags (`more`, `oneway`, `upgrade`).
 */
import { StructureKind } from "ts-morph";
import type { MethodDeclarationOverloadStructure, MethodDeclarationStructure } from "ts-morph";
import type { EmitContext } from "./context.js";
import type { PlannedMethod } from "./plan.js";
import { docText, prose } from "./tsdoc.js";

/** Emits `Client`. */
export function emitClient(context: EmitContext): void {
  const { definition } = context.plan;
  const varlinkClient = context.runtime("VarlinkClient");
  context.statements.push({
    kind: StructureKind.Class,
    name: "Client",
    isExported: true,
    docs: [
      docText(
        prose(`A typed client for \`${definition.name}\`: one method per varlink method.`),
        prose(
          "Every method takes the call's parameters and, last, `CallOptions`. Add `more: true` to get every reply as an async iterable, `oneway: true` to send without waiting for a reply, `upgrade: true` to get the reply and the raw connection. Declared errors reject as their generated classes.",
        ),
        context.see(definition.position.line),
      ),
    ],
    properties: [
      {
        name: "connection",
        isReadonly: true,
        type: varlinkClient,
        docs: ["The connection calls go through; several generated clients may share one."],
      },
    ],
    ctors: [
      {
        docs: [
          docText([
            "@param connection - An open connection to a service implementing this interface.",
          ]),
        ],
        parameters: [{ name: "connection", type: varlinkClient }],
        statements: ["this.connection = connection;"],
      },
    ],
    methods: [
      {
        kind: StructureKind.Method,
        name: "connect",
        isStatic: true,
        isAsync: true,
        docs: [
          docText(
            prose(
              "Connects to `address` (`unix:/path`, `unix:@name`, `tcp:host:port`, `exec:/path`, ...) and returns a client on the new connection.",
            ),
          ),
        ],
        parameters: [
          { name: "address", type: `string | ${context.runtimeType("Address")}` },
          { name: "options", type: context.runtimeType("ConnectOptions"), hasQuestionToken: true },
        ],
        returnType: "Promise<Client>",
        statements: [`return new Client(await ${context.runtime("connect")}(address, options));`],
      },
      {
        kind: StructureKind.Method,
        name: "close",
        docs: ["Closes the connection; calls still pending reject."],
        returnType: "void",
        statements: ["this.connection.close();"],
      },
      ...context.plan.methods.map((method) => clientMethod(context, method)),
    ],
  });
}

function clientMethod(context: EmitContext, method: PlannedMethod): MethodDeclarationStructure {
  const callOptions = context.runtimeType("CallOptions");
  const result = method.resultName;
  const upgraded = `${context.runtimeType("UpgradeResult")}<${result}>`;
  const see = context.see(method.line);
  const calls = `Calls \`${method.qualifiedName}\``;
  const parameter = { name: "parameters", type: method.parametersName };
  const optionalParameter = { ...parameter, hasQuestionToken: method.parametersOptional };

  const overload = (
    flag: string | undefined,
    explanation: string,
    returnType: string,
  ): MethodDeclarationOverloadStructure => ({
    kind: StructureKind.MethodOverload,
    docs: [docText(method.doc, prose(explanation), see)],
    parameters:
      flag === undefined
        ? [optionalParameter, { name: "options", type: callOptions, hasQuestionToken: true }]
        : [parameter, { name: "options", type: `${callOptions} & { ${flag}: true }` }],
    returnType,
  });

  return {
    kind: StructureKind.Method,
    name: method.memberName,
    overloads: [
      overload(
        "more",
        `${calls} with \`more\`: yields every reply as it arrives, until the last.`,
        `AsyncIterable<${result}>`,
      ),
      overload(
        "oneway",
        `${calls} with \`oneway\`: resolves once it is sent; no reply comes, not even an error.`,
        "Promise<void>",
      ),
      overload(
        "upgrade",
        `${calls} with \`upgrade\`: resolves to the reply and the connection, which from then on carries the method's own protocol.`,
        `Promise<${upgraded}>`,
      ),
      overload(undefined, `${calls} and resolves to its reply.`, `Promise<${result}>`),
    ],
    parameters: [
      optionalParameter,
      {
        name: "options",
        type: `${callOptions} & { more?: boolean; oneway?: boolean; upgrade?: boolean }`,
        hasQuestionToken: true,
      },
    ],
    returnType: `Promise<${result}> | AsyncIterable<${result}> | Promise<void> | Promise<${upgraded}>`,
    statements: [
      `const method = ${JSON.stringify(method.qualifiedName)};`,
      `if (options?.more === true) return this.connection.callMore<${result}>(method, parameters, options);`,
      `if (options?.oneway === true) return this.connection.callOneway(method, parameters, options);`,
      `if (options?.upgrade === true) return this.connection.callUpgrade<${result}>(method, parameters, options);`,
      `return this.connection.call<${result}>(method, parameters, options);`,
    ],
  };
}
