/**
 * Writing the bridge's responses: JSON bodies (already serialized, so that a reply's text goes
 * out exactly as the service wrote it) and the bodies of failures.
 */
import type { ServerResponse } from "node:http";
import type { HttpFailure } from "./failure.js";

/**
 * Headers every JSON answer carries. No `charset=`: UAPI.20 asks for none, and JSON is UTF-8.
 * `no-store`, because a call's answer is not a document to be cached.
 */
const JSON_HEADERS = {
  "Content-Type": "application/json",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
} as const;

/** Sends `json` (serialized JSON text) with `status`, unless the client has gone. */
export function sendJson(
  response: ServerResponse,
  status: number,
  json: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  const body = Buffer.from(json, "utf8");
  response.writeHead(status, { ...JSON_HEADERS, ...headers, "Content-Length": String(body.length) });
  response.end(body);
}

/** Sends a failure as `{"message": ...}` with its status and headers. */
export function sendFailure(response: ServerResponse, failure: HttpFailure): void {
  sendJson(response, failure.status, failure.body, failure.headers);
}

/** Sends `204 No Content`: the answer to a oneway call. */
export function sendNoContent(response: ServerResponse): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(204, { "Cache-Control": "no-store" });
  response.end();
}

/** The body of an error reply: `{"error": NAME, "parameters": {...}}`, the parameters as sent. */
export function errorBody(error: string, parametersJson: string): string {
  return `{"error":${JSON.stringify(error)},"parameters":${parametersJson}}`;
}
