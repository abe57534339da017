/**
 * The call objects exactly as a connection's client sent them.
 *
 * A handler's CallContext reports each flag as a boolean, so `"more": false` looks the same as no
 * `more` at all; the Python reference server compares the whole call object and refuses the
 * former. To be as strict, the server watches the bytes the runtime reads from the connection and
 * keeps each call object, and a handler picks out the one it is answering.
 */
import { isDeepStrictEqual } from "node:util";
import type { Duplex } from "node:stream";

/** A decoded call message, as received. */
export type ReceivedCall = { readonly method: string } & { readonly [key: string]: unknown };

/**
 * Calls not yet claimed by a handler. Calls that never reach a handler (org.varlink.service
 * methods, invalid parameters) stay until a later handler claims a call behind them; beyond this
 * many the oldest are forgotten, and a handler whose call was forgotten falls back to the flags of
 * its CallContext.
 */
const MAX_UNCLAIMED = 256;

/** The calls one connection has sent so far. */
export class ReceivedCalls {
  private readonly calls: ReceivedCall[] = [];
  private buffered: Buffer[] = [];

  /**
   * Starts recording what the runtime reads from `stream`. Call it right after the stream was
   * handed to the service: the service reads with `read()` under a "readable" listener, and then
   * Node emits "data" for every chunk read without changing the flow, so listening is passive.
   * (Before that, a "data" listener would switch the stream to flowing mode.)
   */
  watch(stream: Duplex): void {
    stream.on("data", (chunk: Buffer | string) => this.push(Buffer.from(chunk)));
  }

  /** Takes in bytes of the connection; whole messages become recorded calls. */
  push(chunk: Buffer): void {
    let start = 0;
    for (let end = chunk.indexOf(0); end !== -1; end = chunk.indexOf(0, start)) {
      this.buffered.push(chunk.subarray(start, end));
      this.record(Buffer.concat(this.buffered).toString("utf8"));
      this.buffered = [];
      start = end + 1;
    }
    if (start < chunk.length) this.buffered.push(chunk.subarray(start));
  }

  /**
   * The call a handler for `method` with `parameters` is answering, removed together with every
   * call before it. Calls on a connection run one after another, and a call reaches a handler if
   * and only if an identical one would, so the first unclaimed call that matches is this one.
   */
  claim(method: string, parameters: object): ReceivedCall | undefined {
    const index = this.calls.findIndex(
      (call) => call.method === method && isDeepStrictEqual(call["parameters"] ?? {}, parameters),
    );
    if (index === -1) return undefined;
    const call = this.calls[index];
    this.calls.splice(0, index + 1);
    return call;
  }

  private record(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return; // The runtime closes the connection over it; nothing will be claimed.
    }
    if (typeof message !== "object" || message === null || Array.isArray(message)) return;
    if (typeof (message as { method?: unknown }).method !== "string") return;
    this.calls.push(message as ReceivedCall);
    if (this.calls.length > MAX_UNCLAIMED) this.calls.shift();
  }
}
