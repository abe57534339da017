/**
 * Errors: varlink error replies (one base class and the seven standard `org.varlink.service`
 * errors) and the errors of the connection itself. There is no global registry: a client maps an
 * error reply to the class declared by the interface it called (see `createClient`), so two
 * copies of this module in one application each map their own classes.
 */

/** Parameters of an error reply: a JSON object. */
export type ErrorParameters = object;

/**
 * A varlink error reply: `{"error": "iface.Name", "parameters": {...}}`.
 *
 * Thrown by client calls when the service answers with an error, and thrown by handlers to send
 * one. `error` is the fully qualified varlink name; `name` stays the JavaScript class name.
 */
export class VarlinkError<P extends ErrorParameters = Record<string, unknown>> extends Error {
  /** Fully qualified varlink error name, e.g. `org.varlink.service.InvalidParameter`. */
  readonly error: string;
  /** The error's parameters as sent on the wire. */
  readonly parameters: P;

  constructor(error: string, parameters: P, options?: ErrorOptions) {
    super(describe(error, parameters), options);
    this.name = new.target.name;
    this.error = error;
    this.parameters = parameters;
  }

  /**
   * Whether `value` is an error of the class this is called on (`TestMoreError.is(error)`): an
   * instance of it, or any varlink error with the same varlink name, such as one built by another
   * copy of the runtime or of the generated module.
   */
  static is<T extends VarlinkError<object>>(
    this: { readonly varlinkName: string; readonly prototype: T },
    value: unknown,
  ): value is T {
    return (
      value instanceof (this as unknown as abstract new (...args: never[]) => T) ||
      (value instanceof Error && (value as { error?: unknown }).error === this.varlinkName)
    );
  }
}

function describe(error: string, parameters: object): string {
  const text = JSON.stringify(parameters);
  return text === undefined || text === "{}" ? error : `${error} ${text}`;
}

/**
 * A class of varlink error that can be built from the parameters of a reply. `P` is what its
 * constructor takes; the default, `never`, stands for any error class.
 */
export interface VarlinkErrorClass<P extends ErrorParameters = never> {
  /** The fully qualified varlink error name this class stands for. */
  readonly varlinkName: string;
  new (parameters: P, options?: ErrorOptions): VarlinkError<object>;
}

/** Error classes by their varlink names: what a client maps error replies with. */
export type ErrorClasses = ReadonlyMap<string, VarlinkErrorClass>;

/**
 * Builds the error for an error reply: an instance of the class `classes` holds for `name`, or a
 * plain `VarlinkError` when it holds none. `parameters` is taken as sent; a missing one becomes `{}`.
 */
export function errorFromReply(
  name: string,
  parameters: unknown,
  classes: ErrorClasses = STANDARD_ERROR_CLASSES,
): VarlinkError<ErrorParameters> {
  const params =
    typeof parameters === "object" && parameters !== null && !Array.isArray(parameters)
      ? parameters
      : {};
  const errorClass = classes.get(name) as VarlinkErrorClass<object> | undefined;
  if (errorClass !== undefined) {
    return new errorClass(params);
  }
  return new VarlinkError(name, params);
}

const SERVICE = "org.varlink.service";

/** `org.varlink.service.InterfaceNotFound(interface)`: the service does not implement it. */
export class InterfaceNotFoundError extends VarlinkError<{ interface: string }> {
  static readonly varlinkName = `${SERVICE}.InterfaceNotFound`;
  constructor(parameters: { interface: string }, options?: ErrorOptions) {
    super(InterfaceNotFoundError.varlinkName, parameters, options);
  }
}

/**
 * `org.varlink.service.MethodNotFound(method)`. Peers disagree on whether `method` is the short or
 * the fully qualified name; this runtime sends the short one and accepts either.
 */
export class MethodNotFoundError extends VarlinkError<{ method: string }> {
  static readonly varlinkName = `${SERVICE}.MethodNotFound`;
  constructor(parameters: { method: string }, options?: ErrorOptions) {
    super(MethodNotFoundError.varlinkName, parameters, options);
  }
}

/** `org.varlink.service.MethodNotImplemented(method)`: declared, but the service has no handler. */
export class MethodNotImplementedError extends VarlinkError<{ method: string }> {
  static readonly varlinkName = `${SERVICE}.MethodNotImplemented`;
  constructor(parameters: { method: string }, options?: ErrorOptions) {
    super(MethodNotImplementedError.varlinkName, parameters, options);
  }
}

/** `org.varlink.service.InvalidParameter(parameter)`: names the offending field (its path when nested). */
export class InvalidParameterError extends VarlinkError<{ parameter: string }> {
  static readonly varlinkName = `${SERVICE}.InvalidParameter`;
  constructor(parameters: { parameter: string }, options?: ErrorOptions) {
    super(InvalidParameterError.varlinkName, parameters, options);
  }
}

/** `org.varlink.service.PermissionDenied()` */
export class PermissionDeniedError extends VarlinkError<Record<string, never>> {
  static readonly varlinkName = `${SERVICE}.PermissionDenied`;
  constructor(parameters: Record<string, never> = {}, options?: ErrorOptions) {
    super(PermissionDeniedError.varlinkName, parameters, options);
  }
}

/** `org.varlink.service.ExpectedMore()`: the method must be called with `more`. */
export class ExpectedMoreError extends VarlinkError<Record<string, never>> {
  static readonly varlinkName = `${SERVICE}.ExpectedMore`;
  constructor(parameters: Record<string, never> = {}, options?: ErrorOptions) {
    super(ExpectedMoreError.varlinkName, parameters, options);
  }
}

/** `org.varlink.service.ExpectedUpgrade()`: the method must be called with `upgrade`. */
export class ExpectedUpgradeError extends VarlinkError<Record<string, never>> {
  static readonly varlinkName = `${SERVICE}.ExpectedUpgrade`;
  constructor(parameters: Record<string, never> = {}, options?: ErrorOptions) {
    super(ExpectedUpgradeError.varlinkName, parameters, options);
  }
}

/** The seven standard errors by name: every client maps these, whatever interface it calls. */
export const STANDARD_ERROR_CLASSES: ErrorClasses = new Map(
  [
    InterfaceNotFoundError,
    MethodNotFoundError,
    MethodNotImplementedError,
    InvalidParameterError,
    PermissionDeniedError,
    ExpectedMoreError,
    ExpectedUpgradeError,
  ].map((errorClass) => [errorClass.varlinkName, errorClass]),
);

/** Why a connection failed or ended. */
export type ConnectionErrorCode =
  /**
   * Nothing listens at the address (`ECONNREFUSED`), or the service closed its socket before
   * accepting the connection (a connect reset, `ECONNRESET`).
   */
  | "refused"
  /** The socket file or the executable does not exist (`ENOENT`). */
  | "not-found"
  /** The peer closed the connection while calls were pending. */
  | "closed"
  /**
   * The connection was closed on purpose: `close()`, a call on it was aborted or timed out, or
   * the memory budget was spent and this connection held the most.
   */
  | "cancelled"
  /** A call or the connect took longer than its `timeout`. */
  | "timeout"
  /** A call's `signal` fired. */
  | "aborted"
  /** Any other socket or process error; see `cause`. */
  | "io";

/**
 * The connection failed: it could not be opened, it was closed, or a call on it was aborted or
 * timed out. Every call pending on a connection that ends rejects with one of these.
 */
export class ConnectionError extends Error {
  readonly code: ConnectionErrorCode;
  constructor(code: ConnectionErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * The peer broke the protocol: a message that is not JSON or not an object, a reply nobody asked
 * for, `continues` on a call without `more`, a message over the size limit. The connection is
 * closed when this happens.
 */
export class ProtocolError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A value that varlink's JSON or a JavaScript number cannot carry exactly: before sending, a
 * function, a symbol, `NaN`, a `Date` or an `undefined` array element (which `JSON.stringify`
 * would drop or change); on receipt, an `int` beyond ±(2^53 − 1), which `JSON.parse` may have
 * rounded. Nothing is sent, or the reply is refused, rather than passing on a changed value.
 */
export class ValueError extends TypeError {
  /** Where the value sits, e.g. `items[3].id`; empty for the parameters themselves. */
  readonly path: string;
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(path === "" ? message : `${path}: ${message}`, options);
    this.name = new.target.name;
    this.path = path;
  }
}
