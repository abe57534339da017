/**
 * Test harness: a client connected over a real unix socket to a scripted raw server, torn down
 * after each test.
 */
import { afterEach } from "vitest";
import {
  Connection,
  ExpectedMoreError,
  ExpectedUpgradeError,
  InterfaceNotFoundError,
  InvalidParameterError,
  MethodNotFoundError,
  MethodNotImplementedError,
  PermissionDeniedError,
} from "@varlink-ts/runtime";
import type { ConnectionOptions } from "@varlink-ts/runtime/wire";
import { RawServer } from "./raw-server.js";
import type { RawConnection } from "./raw-server.js";

export interface Peer {
  server: RawServer;
  client: Connection;
  connection: RawConnection;
}

const servers: RawServer[] = [];
const clients: Connection[] = [];

/** A client over a fresh socket, and the server side of its connection. */
export async function connectPeer(options: ConnectionOptions = {}): Promise<Peer> {
  const server = await RawServer.start();
  servers.push(server);
  const socket = await server.socket();
  const client = Connection.fromStream(socket, options);
  clients.push(client);
  const connection = await server.accept();
  return { server, client, connection };
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  for (const server of servers.splice(0)) await server.close();
});

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

/** Reads every reply of an iteration, then the error that ended it if any. */
export async function collect<T>(
  replies: AsyncIterable<T>,
): Promise<{ values: T[]; error: unknown }> {
  const values: T[] = [];
  try {
    for await (const value of replies) values.push(value);
  } catch (error) {
    return { values, error };
  }
  return { values, error: undefined };
}

/** The seven standard error replies, each with parameters and the class it must become. */
export const STANDARD_ERROR_REPLIES = [
  ["org.varlink.service.InterfaceNotFound", { interface: "org.example.x" }, InterfaceNotFoundError],
  ["org.varlink.service.MethodNotFound", { method: "Nope" }, MethodNotFoundError],
  ["org.varlink.service.MethodNotImplemented", { method: "Later" }, MethodNotImplementedError],
  ["org.varlink.service.InvalidParameter", { parameter: "a.b" }, InvalidParameterError],
  ["org.varlink.service.PermissionDenied", {}, PermissionDeniedError],
  ["org.varlink.service.ExpectedMore", {}, ExpectedMoreError],
  ["org.varlink.service.ExpectedUpgrade", {}, ExpectedUpgradeError],
] as const;
