#!/usr/bin/env node
// Serves the built page (dist/) over HTTP on 127.0.0.1, for trying it in a browser:
//
//   node serve.mjs [--port=N] [--dir=DIR]
//
// --port=0 picks a free port. Prints "Serving http://127.0.0.1:PORT/" once it listens; that
// origin, http://127.0.0.1:PORT, is what the bridge's --allow-origin must name. Files only, GET
// and HEAD, nothing outside the directory; it exits on SIGINT or SIGTERM.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const USAGE = "usage: serve.mjs [--port=N] [--dir=DIR]";
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

function option(name, fallback) {
  const prefix = `--${name}=`;
  const arg = process.argv.slice(2).find((a) => a.startsWith(prefix));
  return arg === undefined ? fallback : arg.slice(prefix.length);
}

const known = process.argv.slice(2).every((a) => /^--(port|dir)=/.test(a));
const port = Number(option("port", "8000"));
if (!known || !Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(USAGE);
  process.exit(2);
}
const root = resolve(option("dir", fileURLToPath(new URL("./dist/", import.meta.url))));

const server = createServer(async (request, response) => {
  const send = (status, text) => {
    response.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
    response.end(request.method === "HEAD" ? undefined : `${text}\n`);
  };
  if (request.method !== "GET" && request.method !== "HEAD") return send(405, "method not allowed");
  let path;
  try {
    path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
  } catch {
    return send(400, "bad path");
  }
  if (path.endsWith("/")) path += "index.html";
  const file = resolve(join(root, path));
  if (file !== root && !file.startsWith(root + sep)) return send(404, "not found");
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) return send(404, "not found");
  response.writeHead(200, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": info.size,
    "cache-control": "no-store",
  });
  if (request.method === "HEAD") return response.end();
  createReadStream(file).pipe(response);
});

server.on("error", (error) => {
  console.error(`serve.mjs: ${error.message}`);
  process.exit(1);
});
server.listen(port, "127.0.0.1", () => {
  console.log(`Serving http://127.0.0.1:${server.address().port}/`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
  });
}
