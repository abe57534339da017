/**
 * The bridge for the `bridge` scenario: `serveHttp` in its own process, as `varlink http-bridge`
 * runs, relaying WebSocket connections to the service at ADDRESS. Writes the service's WebSocket
 * URL to URL_FILE, then speaks the orchestrator's protocol (shared/server-process.ts).
 * Usage: node http-bridge.js ADDRESS URL_FILE
 */
import { writeFileSync } from "node:fs";
import { serveHttp } from "@varlink-ts/runtime/http";
import { announceReady } from "../../shared/server-process.js";
import { BENCH_MAX_MESSAGE_SIZE } from "./limits.js";

const [address, urlFile] = process.argv.slice(2);
if (address === undefined || urlFile === undefined) throw new TypeError("usage: http-bridge.js ADDRESS URL_FILE");

const bridge = await serveHttp({
  services: { "org.example.bench": address },
  maxMessageSize: BENCH_MAX_MESSAGE_SIZE,
});
writeFileSync(urlFile, `${bridge.url.replace(/^http/, "ws")}ws/services/org.example.bench`);
announceReady();
