/**
 * Types shared by the client, the server and generated code.
 */

/** Any value JSON can carry: what `object` and `any` fields hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** A method call as sent on the wire. Only flags that are true are present. */
export interface CallMessage {
  method: string;
  parameters?: object;
  oneway?: true;
  more?: true;
  upgrade?: true;
}

/** A reply as sent on the wire. */
export interface ReplyMessage {
  parameters?: object;
  continues?: true;
  error?: string;
}

/** Options every call and connect takes, as its one trailing argument. */
export interface CallOptions {
  /** Aborting closes the connection (varlink cannot cancel one call) and rejects the call. */
  signal?: AbortSignal;
  /** Milliseconds before the call (or connect) is given up, with the same effect as an abort. */
  timeout?: number;
}
