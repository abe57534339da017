/**
 * The typed client: one object per interface, with one member per method, made from an
 * interface descriptor. Generated clients and the dynamic client are both this one code.
 */
import { InvalidParameterError, STANDARD_ERROR_CLASSES, ValueError } from "../errors.js";
import type { ErrorClasses, VarlinkErrorClass } from "../errors.js";
import type {
  InterfaceDescriptor,
  MethodDescriptor,
  ModeOf,
  ParametersOf,
  ResultOf,
} from "../interface/descriptor.js";
import type { Input } from "../interface/input.js";
import type { CallOptions } from "../types.js";
import { checkParameters } from "../validate/check-parameters.js";
import { resolveBigintFields } from "../interface/bigint-fields.js";
import { integerCodec } from "../validate/integers.js";
import type { Connection, UpgradeResult } from "./connection.js";
import { asyncDispose } from "../dispose.js";
import { MoreReplies } from "./more-replies.js";
import type { ReplySpec } from "./pending-calls.js";

/**
 * A method's arguments: its parameters (optional when no field is required), then the options.
 * The parameters are what may be sent for `P` ({@link Input}): an optional field also takes
 * `undefined`, an `object` field any object, a set a `Set<string>`, a map a `Map`.
 */
export type CallArguments<P> = {} extends P
  ? [parameters?: Input<P> | undefined, options?: CallOptions | undefined]
  : [parameters: Input<P>, options?: CallOptions | undefined];

/** Calling the method itself makes a plain call, which resolves to the reply. */
export type PlainCall<P, R> = (...args: CallArguments<P>) => Promise<R>

/** `method.more(...)`: a call with `more`. */
export interface MoreCall<P, R> {
  /**
   * Calls with `more`: yields every reply as it arrives, until the last. Leaving the loop early
   * closes the connection, since varlink cannot cancel a call.
   */
  more(...args: CallArguments<P>): AsyncIterable<R>;
}

/** `method.oneway(...)`: a call with `oneway`. */
export interface OnewayCall<P> {
  /** Calls with `oneway`: resolves once the call is sent; no reply comes, not even an error. */
  oneway(...args: CallArguments<P>): Promise<void>;
}

/** `method.upgrade(...)`: a call with `upgrade`. */
export interface UpgradeCall<P, R> {
  /**
   * Calls with `upgrade`: resolves to the reply and the connection, which from then on carries
   * the method's own protocol.
   */
  upgrade(...args: CallArguments<P>): Promise<UpgradeResult<R & object>>;
}

/**
 * One method of a typed client, shaped by the call modes it accepts: a method systemd marks
 * `[Requires 'more' flag]` has only `more`, one marked `[Requires 'upgrade' flag]` only
 * `upgrade`, one marked `[Supports 'more' flag]` no `upgrade`; an unmarked one has them all.
 */
export type ClientMethod<D> = [ModeOf<D>] extends ["requires-more"]
  ? MoreCall<ParametersOf<D>, ResultOf<D>>
  : [ModeOf<D>] extends ["requires-upgrade"]
    ? UpgradeCall<ParametersOf<D>, ResultOf<D>>
    : [ModeOf<D>] extends ["supports-more"]
      ? PlainCall<ParametersOf<D>, ResultOf<D>> &
          MoreCall<ParametersOf<D>, ResultOf<D>> &
          OnewayCall<ParametersOf<D>>
      : PlainCall<ParametersOf<D>, ResultOf<D>> &
          MoreCall<ParametersOf<D>, ResultOf<D>> &
          OnewayCall<ParametersOf<D>> &
          UpgradeCall<ParametersOf<D>, ResultOf<D>>;

/** What every client has besides its methods. */
export interface ClientBase<D extends InterfaceDescriptor> {
  /** The connection calls go through; clients of several interfaces may share one. */
  readonly connection: Connection;
  /** The interface this client calls. */
  readonly descriptor: D;
  /** Closes the connection; calls still pending reject. */
  close(): void;
  /** `await using client = ...` closes the connection at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A typed client of the interface `D`: one member per method (`client.ping({ ping })`,
 * `client.testMore.more({ n })`), documented as in the IDL. Error replies reject as the classes
 * the interface declares, or the standard ones, or a plain `VarlinkError`.
 */
export type Client<D extends InterfaceDescriptor> = {
  readonly [K in keyof D["methods"]]: ClientMethod<D["methods"][K]>;
} & ClientBase<D>;

/** Options of {@link createClient}. */
export interface CreateClientOptions {
  /**
   * Check parameters against the interface before sending: a value that does not fit rejects
   * with `InvalidParameterError` naming the field, and nothing is sent. Default false, as typed
   * clients are checked by the compiler; the dynamic client turns it on.
   */
  readonly validateParameters?: boolean;
}

/** How each method's replies are read, by varlink method name, built once per descriptor. */
const specsCache = new WeakMap<InterfaceDescriptor, ReadonlyMap<string, ReplySpec>>();

/**
 * Each method's reply spec: the interface's error classes with the standard ones, and, for a
 * method whose result can hold an `int`, its integers read exactly (see validate/integers.ts):
 * `bigint`s where the descriptor says so, and a reply refused when a number cannot hold one.
 */
function replySpecsOf(descriptor: InterfaceDescriptor): ReadonlyMap<string, ReplySpec> {
  let specs = specsCache.get(descriptor);
  if (specs !== undefined) return specs;
  const declared = descriptor.errors.map(
    (errorClass): [string, VarlinkErrorClass] => [errorClass.varlinkName, errorClass],
  );
  const errors: ErrorClasses = new Map([...STANDARD_ERROR_CLASSES, ...declared]);
  const definition = descriptor.definition;
  const bigints = resolveBigintFields(definition, descriptor.bigint);
  specs = new Map(
    [...definition.methods.values()].map((member) => {
      const qualified = `${descriptor.name}.${member.name}`;
      const integers = integerCodec(definition, member.output, bigints);
      const check =
        integers === undefined
          ? undefined
          : (parameters: object): Error | undefined => {
              const issue = integers(parameters);
              if (issue === undefined) return undefined;
              return new ValueError(issue.path, `in the reply of ${qualified}: ${issue.message}`);
            };
      return [member.name, { errors, check }];
    }),
  );
  specsCache.set(descriptor, specs);
  return specs;
}

/**
 * A typed client of `descriptor` on `connection`. Several clients, of one interface or of
 * several, may share a connection.
 *
 * @throws TypeError when a method's member name is one of the client's own (`connection`,
 *   `descriptor`, `close`) or `then`, which would make the client a thenable. Generated
 *   descriptors never use them.
 */
export function createClient<D extends InterfaceDescriptor>(
  descriptor: D,
  connection: Connection,
  options: CreateClientOptions = {},
): Client<D> {
  const specs = replySpecsOf(descriptor);
  const client: Record<string | symbol, unknown> = {
    connection,
    descriptor,
    close: () => connection.close(),
  };
  if (asyncDispose !== undefined) client[asyncDispose] = async () => connection.close();
  for (const [member, method] of Object.entries(descriptor.methods)) {
    if (Object.hasOwn(client, member) || member === "then") {
      throw new TypeError(`${descriptor.name}: a client cannot have a method called ${member}`);
    }
    const check = options.validateParameters === true ? parameterCheck(descriptor, method) : undefined;
    const spec = specs.get(method.name);
    if (spec === undefined) throw new TypeError(`${method.name} is not a method of ${descriptor.name}`);
    client[member] = clientMethod(connection, `${descriptor.name}.${method.name}`, spec, check);
  }
  return client as Client<D>;
}

type Check = (parameters: object | undefined) => Error | undefined;

function clientMethod(
  connection: Connection,
  qualified: string,
  spec: ReplySpec,
  check: Check | undefined,
): unknown {
  const plain = (parameters?: object, options?: CallOptions): Promise<object> => {
    const error = check?.(parameters);
    if (error !== undefined) return Promise.reject(error);
    return connection.callWith(spec, qualified, parameters, options);
  };
  return Object.assign(plain, {
    more(parameters?: object, options?: CallOptions): AsyncIterable<object> {
      const error = check?.(parameters);
      if (error !== undefined) return failedReplies(error);
      return connection.callMoreWith(spec, qualified, parameters, options);
    },
    oneway(parameters?: object, options?: CallOptions): Promise<void> {
      const error = check?.(parameters);
      if (error !== undefined) return Promise.reject(error);
      return connection.callOnewayWith(spec, qualified, parameters, options);
    },
    upgrade(parameters?: object, options?: CallOptions): Promise<UpgradeResult<object>> {
      const error = check?.(parameters);
      if (error !== undefined) return Promise.reject(error);
      return connection.callUpgradeWith(spec, qualified, parameters, options);
    },
  });
}

/** Checks parameters against the method's input, parsing the interface on first use. */
function parameterCheck(descriptor: InterfaceDescriptor, method: MethodDescriptor<object, object>): Check {
  const qualified = `${descriptor.name}.${method.name}`;
  return (parameters) => {
    const definition = descriptor.definition;
    const member = definition.methods.get(method.name);
    if (member === undefined) return new TypeError(`${qualified} is not in the interface's IDL`);
    const issue = checkParameters(definition, member.input, parameters);
    if (issue === undefined) return undefined;
    if (issue.path === "") return new TypeError(`parameters of ${qualified}: ${issue.message}`);
    return new InvalidParameterError(
      { parameter: issue.path },
      { cause: new TypeError(`${qualified} parameter ${issue.path}: ${issue.message}`) },
    );
  };
}

/** An iteration that throws `error` at once. */
function failedReplies(error: Error): AsyncIterable<object> {
  const replies = new MoreReplies<object>({ abandoned() {}, room() {}, buffered() {} });
  replies.fail(error);
  return replies;
}
