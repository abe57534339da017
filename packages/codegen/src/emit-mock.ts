/**
 * The mock: `createMock(handlers)` serves the interface from a real `VarlinkService` (in memory,
 * or on an address) and hands back a connected `Client` and the list of calls it received.
 */
import { StructureKind } from "ts-morph";
import type { EmitContext } from "./context.js";
import type { PlannedMethod } from "./plan.js";
import { docText, prose } from "./tsdoc.js";

/** Emits `RecordedCall`, `Mock` and `createMock`. */
export function emitMock(context: EmitContext): void {
  const { definition, methods } = context.plan;
  const recorded = methods.map(
    (method) =>
      `{ readonly method: ${JSON.stringify(method.varlinkName)}; readonly parameters: ${method.parametersName}; readonly more: boolean; readonly oneway: boolean; readonly upgrade: boolean }`,
  );
  context.statements.push({
    kind: StructureKind.TypeAlias,
    name: "RecordedCall",
    isExported: true,
    type: recorded.length === 0 ? "never" : recorded.join(" | "),
    docs: [
      docText(
        prose(
          "A call the mock's service received: the varlink method name (`Ping`), its parameters and the flags it was called with.",
        ),
      ),
    ],
  });

  context.statements.push({
    kind: StructureKind.Interface,
    name: "Mock",
    isExported: true,
    docs: [
      `A mock \`${definition.name}\` service and a client connected to it; see {@link createMock}.`,
    ],
    properties: [
      {
        name: "client",
        isReadonly: true,
        type: "Client",
        docs: ["A client connected to the mock service."],
      },
      {
        name: "calls",
        isReadonly: true,
        type: "RecordedCall[]",
        docs: ["Every call whose parameters passed the check, in order, implemented or not."],
      },
      {
        name: "service",
        isReadonly: true,
        type: context.runtime("VarlinkService"),
        docs: ["The service serving the mock, to add other interfaces or serve more connections."],
      },
    ],
    methods: [
      {
        name: "close",
        returnType: "Promise<void>",
        docs: ["Closes the client, then the service (and its listener, if any)."],
      },
    ],
  });

  // Names are imported now: the writer below runs only when the module is printed.
  const varlinkClient = context.runtime("VarlinkClient");
  const varlinkService = context.runtime("VarlinkService");
  const duplexPair = context.runtime("duplexPair");
  const connect = context.runtime("connect");
  const handlerEntries = methods.map((method) => recordingHandler(context, method));
  context.statements.push({
    kind: StructureKind.Function,
    name: "createMock",
    isExported: true,
    isAsync: true,
    docs: [
      docText(
        prose(
          `Serves \`${definition.name}\` with \`handlers\` from a real \`VarlinkService\` and returns a client connected to it, for tests. Every call is recorded in \`calls\` before its handler runs; a method without a handler replies \`MethodNotImplemented\`. The connection is in memory unless \`options.address\` asks for a real listener.`,
        ),
        [
          "@param handlers - The methods to implement, as for {@link register}.",
          "@param options - `address`: listen there (e.g. `unix:/tmp/mock.sock`) and connect to it.",
        ],
      ),
    ],
    parameters: [
      {
        name: methods.length === 0 ? "_handlers" : "handlers",
        type: "Partial<Handlers>",
        initializer: "{}",
      },
      { name: "options", type: "{ address?: string }", initializer: "{}" },
    ],
    returnType: "Promise<Mock>",
    statements: (writer) => {
      writer.writeLine("const calls: RecordedCall[] = [];");
      writer.writeLine(
        `const service = new ${varlinkService}({ vendor: "varlink-ts", product: ${JSON.stringify(`${definition.name} mock`)}, version: "0", url: "https://varlink.org" });`,
      );
      writer.writeLine(`register(service, {\n${handlerEntries.join("\n")}\n});`);
      writer.writeLine(`let connection: ${varlinkClient};`);
      writer.writeLine("if (options.address === undefined) {");
      writer.writeLine(`const [serverEnd, clientEnd] = ${duplexPair}();`);
      writer.writeLine("service.serve(serverEnd);");
      writer.writeLine(`connection = ${varlinkClient}.fromStream(clientEnd);`);
      writer.writeLine("} else {");
      writer.writeLine("const listener = await service.listen(options.address);");
      writer.writeLine(`connection = await ${connect}(listener.address);`);
      writer.writeLine("}");
      writer.writeLine("return {");
      writer.writeLine("client: new Client(connection),");
      writer.writeLine("calls,");
      writer.writeLine("service,");
      writer.writeLine("async close() {");
      writer.writeLine("connection.close();");
      writer.writeLine("await service.close();");
      writer.writeLine("},");
      writer.writeLine("};");
    },
  });
}

function recordingHandler(context: EmitContext, method: PlannedMethod): string {
  const name = JSON.stringify(method.varlinkName);
  const notImplemented = context.runtime("MethodNotImplementedError");
  return [
    `${method.memberName}(parameters, context) {`,
    `calls.push({ method: ${name}, parameters, more: context.more, oneway: context.oneway, upgrade: context.upgrade });`,
    `if (handlers.${method.memberName} === undefined) throw new ${notImplemented}({ method: ${name} });`,
    `return handlers.${method.memberName}(parameters, context);`,
    "},",
  ].join("\n");
}
