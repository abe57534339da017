/**
 * The three implementations and the pairs measured: each pair is a client of one implementation
 * against a server of another, every server in its own process.
 */
import path from "node:path";
import { DIST_DIR } from "./paths.js";

export type PeerId = "ts" | "go" | "raw";

/** How to start one implementation's server and client driver. */
export interface Peer {
  readonly id: PeerId;
  server(address: string): readonly [string, string[]];
  client(args: readonly string[]): readonly [string, string[]];
}

/** Node runs with --expose-gc so that memory is measured after a collection. */
function nodePeer(id: "ts" | "raw"): Peer {
  const dir = path.join(DIST_DIR, "peers", id);
  return {
    id,
    server: (address) => [process.execPath, ["--expose-gc", path.join(dir, "server.js"), address]],
    client: (args) => [process.execPath, ["--expose-gc", path.join(dir, "client.js"), ...args]],
  };
}

export function nodePeers(): Peer[] {
  return [nodePeer("ts"), nodePeer("raw")];
}

export function goPeer(binary: string): Peer {
  return {
    id: "go",
    server: (address) => [binary, ["server", address]],
    client: (args) => [binary, ["client", ...args]],
  };
}

/** A client implementation against a server implementation. */
export interface Pair {
  readonly id: PairId;
  readonly client: PeerId;
  readonly server: PeerId;
}

export const PAIRS = [
  { id: "ts-ts", client: "ts", server: "ts" },
  { id: "go-go", client: "go", server: "go" },
  { id: "ts-go", client: "ts", server: "go" },
  { id: "go-ts", client: "go", server: "ts" },
  { id: "raw", client: "raw", server: "raw" },
  // The ceiling of a Node server against the Go client: what go → ts can be judged against.
  { id: "go-raw", client: "go", server: "raw" },
] as const satisfies readonly { id: string; client: PeerId; server: PeerId }[];

export type PairId = (typeof PAIRS)[number]["id"];

/** "ts → go": client, then server; the raw baseline is "raw Node". */
export function pairLabel(pair: Pair): string {
  if (pair.id === "raw") return "raw Node";
  return `${pair.client} → ${pair.server === "raw" ? "raw Node" : pair.server}`;
}
