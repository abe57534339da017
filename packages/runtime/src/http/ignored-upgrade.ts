/**
 * Requests that ask to upgrade to something other than WebSocket, answered as the plain HTTP/1.1
 * requests they also are. `curl --http2` on an `http:` URL sends `Connection: Upgrade,
 * HTTP2-Settings` and `Upgrade: h2c` with its `POST …/call/…`, and HTTP/2-first clients (Java's
 * HttpClient) do with their `GET`s; HTTP lets a server ignore the Upgrade header and answer in
 * HTTP/1.1 (RFC 9110, 7.8), and the client then carries on in HTTP/1.1.
 *
 * Node hands such a request to the `upgrade` event rather than to `request`: its headers parsed,
 * its body not, and the socket no longer read by the server. So the request is given again to an
 * HTTP server of the bridge's own that never listens and has no `upgrade` handler, through a
 * stream over the socket that first yields the request's head once more (without its upgrade
 * headers, and with `Connection: close`) and the bytes that came after it, then what the socket
 * reads. That server parses the body as for any request (by `Content-Length` or chunked) and hands
 * the request to the bridge's usual handler; the answer goes back through the socket, which is
 * closed after it.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { Duplex } from "node:stream";
import type { BridgeContext } from "./context.js";
import { requestHandler } from "./requests.js";

/** Answers one request that asked for an upgrade as a plain request; `head` is what followed its headers. */
export type PlainAnswer = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Makes the plain answer of one bridge, with an HTTP server of its own made on first use. */
export function answerIgnoringUpgrade(context: BridgeContext): PlainAnswer {
  let server: Server | undefined;
  return (request, socket, head) => {
    server ??= createServer(requestHandler(context));
    server.emit("connection", replayed(socket, Buffer.concat([requestHead(request), head])));
  };
}

/** Headers the upgrade came with, which the request answered plainly goes without. */
const UPGRADE_HEADERS: ReadonlySet<string> = new Set(["connection", "upgrade", "keep-alive", "http2-settings"]);

/**
 * The request line and headers of `request` as it came (header names and values as received),
 * without the upgrade's hop-by-hop headers (those above and those its `Connection` names), and
 * with `Connection: close`.
 */
function requestHead(request: IncomingMessage): Buffer {
  const connection = request.headers.connection ?? "";
  const dropped = new Set(UPGRADE_HEADERS);
  for (const name of connection.split(",")) dropped.add(name.trim().toLowerCase());
  const lines = [`${request.method ?? "GET"} ${request.url ?? "/"} HTTP/${request.httpVersion}`];
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (!dropped.has(name.toLowerCase())) lines.push(`${name}: ${raw[i + 1]!}`);
  }
  lines.push("Connection: close");
  // Node decoded the head as latin1 and checked it: encoded back, these are the bytes received.
  return Buffer.from(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
}

/** A stream that reads `first`, then what `socket` reads, and writes to `socket`; the two close together. */
function replayed(socket: Duplex, first: Buffer): Duplex {
  const stream = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  stream.push(first);
  socket.on("data", (chunk: Buffer) => {
    if (!stream.push(chunk)) socket.pause();
  });
  socket.on("end", () => stream.push(null));
  socket.on("close", () => stream.destroy());
  return stream;
}
