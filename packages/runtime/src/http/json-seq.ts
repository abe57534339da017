/**
 * Streaming replies (`Accept: application/json-seq`): the call is made with `more`, and each
 * reply's parameters become one record of an RFC 7464 JSON text sequence, RS (0x1E), the JSON,
 * LF. The status line is sent before the first reply, so an error reply ends the sequence with
 * a `{"error", "parameters"}` record and a failed connection with `{"error": MESSAGE}`, under
 * 200 either way.
 */
import type { ServerResponse } from "node:http";
import { HttpFailure } from "./failure.js";
import { errorBody } from "./responses.js";
import type { ServiceExchange, ServiceReply } from "./service-call.js";

/** The media type of JSON text sequences. */
export const JSON_SEQ = "application/json-seq";

/** Whether the `Accept` header asks for a JSON text sequence. */
export function wantsJsonSeq(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  return accept.split(",").some((range) => {
    const [type, ...parameters] = range.split(";").map((part) => part.trim().toLowerCase());
    // `q=0` means "not this one".
    return type === JSON_SEQ && !parameters.some((parameter) => /^q=0(?:\.0*)?$/.test(parameter));
  });
}

/** One record: RS, the JSON text, LF. */
function record(json: string): string {
  return `\u001e${json}\n`;
}

/**
 * Sends the `more` call `text` on `exchange` and streams its replies to `response`, reading the
 * next reply only once the client has taken the last one. The exchange is closed at the end (and
 * must be bound to the response, see openExchange, to be closed when the client goes away).
 * @throws HttpFailure (502) when the call cannot be sent; nothing was answered then.
 */
export async function streamReplies(response: ServerResponse, exchange: ServiceExchange, text: string): Promise<void> {
  await exchange.send(text);
  if (response.destroyed) return;
  response.writeHead(200, {
    "Content-Type": JSON_SEQ,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
  // The client learns at once that the stream has begun, before the first reply.
  response.flushHeaders();
  for (;;) {
    let reply: ServiceReply;
    try {
      reply = await exchange.next();
    } catch (error) {
      if (!(error instanceof HttpFailure)) throw error;
      if (!response.destroyed) response.end(record(JSON.stringify({ error: error.message })));
      return;
    }
    if (response.destroyed) return;
    const last = reply.error !== undefined || !reply.continues;
    const room = response.write(record(reply.error === undefined ? reply.parameters : errorBody(reply.error, reply.parameters)));
    if (last) {
      response.end();
      exchange.close();
      return;
    }
    if (!room) await drained(response);
  }
}

/** Resolves once the response can take more, or is gone. */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off("drain", done);
      response.off("close", done);
      resolve();
    };
    response.on("drain", done);
    response.on("close", done);
  });
}
