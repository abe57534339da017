/**
 * A request the bridge answers itself, with a status and `{"message": ...}`: malformed, refused,
 * or a service it could not reach.
 */

/** Thrown on the way to an answer; the request handler turns it into the response. */
export class HttpFailure extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** Headers the response needs, such as `Allow` or `WWW-Authenticate`. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, message: string, headers: Readonly<Record<string, string>> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = "HttpFailure";
    this.status = status;
    this.headers = headers;
  }

  /** The response body: `{"message": ...}`. */
  get body(): string {
    return JSON.stringify({ message: this.message });
  }
}

/** 502: the service could not be reached, or its connection failed during the call. */
export function gatewayFailure(message: string, cause?: unknown): HttpFailure {
  return new HttpFailure(502, message, {}, cause === undefined ? undefined : { cause });
}

/** The client went away before it could be answered: there is nobody to tell anything. */
export class ClientGone extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ClientGone";
  }
}
