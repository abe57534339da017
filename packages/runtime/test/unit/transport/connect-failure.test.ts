/**
 * What a failed connect becomes: the ConnectionError code a caller branches on (an activator
 * explains `refused` and `not-found` by its service's exit), with Node's error as cause.
 */
import { describe, expect, it } from "vitest";
import { ConnectionError } from "@varlink-ts/runtime";
import { connectFailure } from "../../../src/transport/connect-failure.js";

function systemError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code} /run/x`), { code, syscall });
}

describe("connectFailure", () => {
  it.each([
    ["ECONNREFUSED", "connect", "refused", "connection refused (nothing is listening there)"],
    // The service closed its socket, or died, with the connection queued and not accepted.
    ["ECONNRESET", "connect", "refused", "the service closed its socket before accepting the connection (connection reset)"],
    // A reset on a read comes from a service that took the connection (a TLS handshake refused).
    ["ECONNRESET", "read", "io", "read ECONNRESET /run/x"],
    ["ENOENT", "connect", "not-found", "no such socket"],
    ["EACCES", "connect", "io", "connect EACCES /run/x"],
  ])("%s from %s is %s", (errno, syscall, code, reason) => {
    const cause = systemError(errno, syscall);
    const error = connectFailure("unix:/run/x", cause);
    expect(error).toBeInstanceOf(ConnectionError);
    expect({ code: error.code, message: error.message, cause: error.cause }).toEqual({
      code,
      message: `cannot connect to unix:/run/x: ${reason}`,
      cause,
    });
  });

  it("reads a failed multi-address TCP connect by its first address's error", () => {
    const cause = new AggregateError([systemError("ECONNRESET", "connect"), systemError("ECONNREFUSED", "connect")]);
    expect(connectFailure("tcp:localhost:1", cause).message).toBe(
      "cannot connect to tcp:localhost:1: the service closed its socket before accepting the connection (connection reset)",
    );
  });
});
