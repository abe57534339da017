/**
 * The dynamic client: learns an interface from the service itself (as the Python binding's
 * `Client.open()` does) and offers its methods without generated code, checking parameters
 * against the interface before anything is written.
 */
import { InvalidParameterError, MethodNotFoundError, ProtocolError } from "../errors.js";
import type { InterfaceDefinition, MethodMember } from "../idl/model.js";
import { parseInterface } from "../idl/index.js";
import type { CallOptions, JsonObject } from "../types.js";
import { checkParameters } from "../validate/index.js";
import type { UpgradeResult, VarlinkClient } from "./client.js";
import { MoreReplies } from "./more-replies.js";
import { getInterfaceDescription } from "./service-info.js";

/**
 * One method of a dynamic interface. Calling it makes a plain call; `more`, `oneway` and `upgrade`
 * make the call with that flag. Parameters are checked against the method's input first: a value
 * that does not fit rejects with `InvalidParameterError` naming the field, and nothing is sent.
 */
export interface DynamicMethod {
  (parameters?: object, options?: CallOptions): Promise<JsonObject>;
  /** Calls with `more`; see `VarlinkClient.callMore` (leaving the loop early closes the connection). */
  more(parameters?: object, options?: CallOptions): AsyncIterableIterator<JsonObject>;
  /** Calls with `oneway`; resolves once the call is written. */
  oneway(parameters?: object, options?: CallOptions): Promise<void>;
  /** Calls with `upgrade`; see `VarlinkClient.callUpgrade`. */
  upgrade(parameters?: object, options?: CallOptions): Promise<UpgradeResult>;
  /** The method as declared in the interface. */
  readonly member: MethodMember;
}

/** An interface of a service, learnt from the service. */
export interface DynamicInterface {
  /** The parsed interface as the service described it. */
  readonly definition: InterfaceDefinition;
  /** The connection calls are made on. */
  readonly client: VarlinkClient;
  /**
   * The interface's methods by their varlink names: `methods.Ping({ ping: "x" })`,
   * `methods.TestMore.more({ n: 3 })`, `methods.Log.oneway({ line })`.
   */
  readonly methods: Readonly<Record<string, DynamicMethod>>;
  /**
   * Calls a method by its varlink name, like `methods[name](...)`, but rejects with
   * `MethodNotFoundError` (without sending anything) when the interface has no such method.
   */
  call(method: string, parameters?: object, options?: CallOptions): Promise<JsonObject>;
  /** `call` with `more`. */
  callMore(method: string, parameters?: object, options?: CallOptions): AsyncIterableIterator<JsonObject>;
  /** `call` with `oneway`. */
  callOneway(method: string, parameters?: object, options?: CallOptions): Promise<void>;
  /** `call` with `upgrade`. */
  callUpgrade(method: string, parameters?: object, options?: CallOptions): Promise<UpgradeResult>;
}

/**
 * Asks the service behind `client` for `interfaceName` with
 * `org.varlink.service.GetInterfaceDescription`, parses it and returns its callable methods.
 *
 * @throws InterfaceNotFoundError when the service does not implement it (whichever way it says so).
 * @throws VarlinkSyntaxError when the description does not parse.
 * @throws ProtocolError when the service describes a different interface.
 */
export async function openInterface(
  client: VarlinkClient,
  interfaceName: string,
  options?: CallOptions,
): Promise<DynamicInterface> {
  const description = await getInterfaceDescription(client, interfaceName, options);
  const definition = parseInterface(description, { file: `<${interfaceName}>` });
  if (definition.name !== interfaceName) {
    throw new ProtocolError(
      `asked for the description of ${interfaceName} and got ${definition.name}`,
    );
  }
  return dynamicInterface(client, definition);
}

/** The dynamic interface for a definition you already have, e.g. parsed from a file. */
export function dynamicInterface(
  client: VarlinkClient,
  definition: InterfaceDefinition,
): DynamicInterface {
  const methods: Record<string, DynamicMethod> = {};
  for (const member of definition.methods.values()) {
    methods[member.name] = dynamicMethod(client, definition, member);
  }
  const find = (name: string): DynamicMethod | MethodNotFoundError =>
    Object.hasOwn(methods, name)
      ? (methods[name] as DynamicMethod)
      : new MethodNotFoundError({ method: `${definition.name}.${name}` });
  return {
    definition,
    client,
    methods,
    call(name, parameters, options) {
      const method = find(name);
      return method instanceof Error ? Promise.reject(method) : method(parameters, options);
    },
    callMore(name, parameters, options) {
      const method = find(name);
      return method instanceof Error ? failedReplies(method) : method.more(parameters, options);
    },
    callOneway(name, parameters, options) {
      const method = find(name);
      return method instanceof Error ? Promise.reject(method) : method.oneway(parameters, options);
    },
    callUpgrade(name, parameters, options) {
      const method = find(name);
      return method instanceof Error ? Promise.reject(method) : method.upgrade(parameters, options);
    },
  };
}

function dynamicMethod(
  client: VarlinkClient,
  definition: InterfaceDefinition,
  member: MethodMember,
): DynamicMethod {
  const qualified = `${definition.name}.${member.name}`;
  /** The error for parameters that do not fit the method's input, if they do not. */
  const check = (parameters: object | undefined): Error | undefined => {
    const issue = checkParameters(definition, member.input, parameters);
    if (issue === undefined) return undefined;
    if (issue.path === "") return new TypeError(`parameters of ${qualified}: ${issue.message}`);
    return new InvalidParameterError(
      { parameter: issue.path },
      { cause: new TypeError(`${qualified} parameter ${issue.path}: ${issue.message}`) },
    );
  };
  const plain = (parameters?: object, options?: CallOptions): Promise<JsonObject> => {
    const error = check(parameters);
    return error !== undefined ? Promise.reject(error) : client.call(qualified, parameters, options);
  };
  return Object.assign(plain, {
    more(parameters?: object, options?: CallOptions): AsyncIterableIterator<JsonObject> {
      const error = check(parameters);
      return error !== undefined ? failedReplies(error) : client.callMore(qualified, parameters, options);
    },
    oneway(parameters?: object, options?: CallOptions): Promise<void> {
      const error = check(parameters);
      return error !== undefined ? Promise.reject(error) : client.callOneway(qualified, parameters, options);
    },
    upgrade(parameters?: object, options?: CallOptions): Promise<UpgradeResult> {
      const error = check(parameters);
      return error !== undefined ? Promise.reject(error) : client.callUpgrade(qualified, parameters, options);
    },
    member,
  });
}

/** An iteration that throws `error` at once. */
function failedReplies(error: Error): AsyncIterableIterator<JsonObject> {
  const replies = new MoreReplies<JsonObject>(() => {});
  replies.fail(error);
  return replies;
}
