/**
 * Mocks: an interface served from a real `VarlinkService` (in memory, or on an address), a typed
 * client connected to it, and the list of calls the service received, in the spirit of the
 * Python binding's `mockedservice`.
 */
import { MethodNotImplementedError } from "../errors.js";
import { connect } from "../client/connect.js";
import { Connection } from "../client/connection.js";
import { createClient } from "../client/create-client.js";
import type { Client } from "../client/create-client.js";
import type { InterfaceDescriptor, ParametersOf } from "../interface/descriptor.js";
import { checkHandlerKeys, handlerAt } from "../server/interface-registry.js";
import { VarlinkService } from "../server/service.js";
import type { CallContext, Handlers } from "../server/types.js";
import { asyncDispose } from "../dispose.js";
import { duplexPair } from "../transport/memory.js";

/**
 * A call the mock's service received: the method by its member name (`ping`), its parameters and
 * the flags it was called with. A union over the methods, so checking `method` narrows
 * `parameters`.
 */
export type RecordedCall<D extends InterfaceDescriptor> = {
  [K in keyof D["methods"]]: {
    readonly method: K;
    readonly parameters: ParametersOf<D["methods"][K]>;
    readonly more: boolean;
    readonly oneway: boolean;
    readonly upgrade: boolean;
  };
}[keyof D["methods"]];

/** A mock service and a client connected to it; see {@link createMock}. */
export interface Mock<D extends InterfaceDescriptor> {
  /** A client connected to the mock service. */
  readonly client: Client<D>;
  /** Every call whose parameters passed the check, in order, implemented or not. */
  readonly calls: Array<RecordedCall<D>>;
  /** The service serving the mock, to add other interfaces or serve more connections. */
  readonly service: VarlinkService;
  /** Closes the client, then the service (and its listener, if any). */
  close(): Promise<void>;
  /** `await using mock = await createMock(...)` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of {@link createMock}. */
export interface MockOptions {
  /** Listen there (e.g. `unix:/tmp/mock.sock`) and connect to it, instead of in memory. */
  readonly address?: string;
}

/**
 * Serves the interface `descriptor` with `handlers` from a real `VarlinkService` and returns a
 * client connected to it, for tests. Every call is recorded in `calls` before its handler runs;
 * a method without a handler replies `MethodNotImplemented`. The connection is in memory unless
 * `options.address` asks for a real listener.
 */
export async function createMock<D extends InterfaceDescriptor>(
  descriptor: D,
  handlers: Partial<Handlers<D>> = {},
  options: MockOptions = {},
): Promise<Mock<D>> {
  const calls: Array<RecordedCall<D>> = [];
  const service = new VarlinkService({
    vendor: "varlink-ts",
    product: `${descriptor.name} mock`,
    version: "0",
    url: "https://varlink.org",
  });
  checkHandlerKeys(handlers, new Set(Object.keys(descriptor.methods)), descriptor.name);
  const recording: Record<string, (parameters: object, context: CallContext) => unknown> = {};
  for (const [member, method] of Object.entries(descriptor.methods)) {
    recording[member] = (parameters, context) => {
      calls.push({
        method: member,
        parameters,
        more: context.more,
        oneway: context.oneway,
        upgrade: context.upgrade,
      } as RecordedCall<D>);
      const handler = handlerAt(handlers, member);
      if (typeof handler !== "function") throw new MethodNotImplementedError({ method: method.name });
      return (handler as (parameters: object, context: CallContext) => unknown).call(
        handlers,
        parameters,
        context,
      );
    };
  }
  service.addInterface(descriptor, recording as Partial<Handlers<D>>);
  let connection: Connection;
  if (options.address === undefined) {
    const [serverEnd, clientEnd] = duplexPair();
    service.serve(serverEnd);
    connection = Connection.fromStream(clientEnd);
  } else {
    const listener = await service.listen(options.address);
    connection = await connect(listener.address);
  }
  const close = async (): Promise<void> => {
    connection.close();
    await service.close();
  };
  const mock = { client: createClient(descriptor, connection), calls, service, close };
  return (asyncDispose === undefined ? mock : { ...mock, [asyncDispose]: close }) as Mock<D>;
}
