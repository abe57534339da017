/**
 * What a failed connect becomes: the ConnectionError code a caller branches on (an activator
 * explains `refused` and `not-found` by its service's exit), with Node's error as cause.
 */
import { describe, expect, it } from "vitest";
import { ConnectionError } from "@varlink-ts/runtime";
import { connectFailure, unixConnectFailure } from "../../../src/transport/connect-failure.js";

function nodeError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, syscall: "connect" });
}

function outcome(error: ConnectionError): { code: string; message: string; cause: unknown } {
  expect(error).toBeInstanceOf(ConnectionError);
  return { code: error.code, message: error.message, cause: error.cause };
}

describe("connectFailure", () => {
  it.each([
    ["ECONNREFUSED", "refused", "cannot connect to tcp:127.0.0.1:1: connection refused (nothing is listening there)"],
    ["ENOENT", "not-found", "cannot connect to tcp:127.0.0.1:1: no such socket"],
    // Over TCP or TLS, a reset comes from a service that accepted the connection.
    ["ECONNRESET", "io", "cannot connect to tcp:127.0.0.1:1: read ECONNRESET"],
    ["EACCES", "io", "cannot connect to tcp:127.0.0.1:1: read EACCES"],
  ])("%s is %s", (errno, code, message) => {
    const cause = nodeError(errno, `read ${errno}`);
    expect(outcome(connectFailure("tcp:127.0.0.1:1", cause))).toEqual({ code, message, cause });
  });
});

describe("unixConnectFailure", () => {
  it("calls a reset refused: the service died or closed its socket with the connection still queued", () => {
    const cause = nodeError("ECONNRESET", "connect ECONNRESET /run/x");
    expect(outcome(unixConnectFailure("unix:/run/x", cause))).toEqual({
      code: "refused",
      message: "cannot connect to unix:/run/x: the service closed its socket before accepting the connection (connection reset)",
      cause,
    });
  });

  it.each([
    ["ECONNREFUSED", "refused", "cannot connect to unix:/run/x: connection refused (nothing is listening there)"],
    ["ENOENT", "not-found", "cannot connect to unix:/run/x: no such socket"],
    ["EACCES", "io", "cannot connect to unix:/run/x: connect EACCES /run/x"],
  ])("gives %s what connectFailure gives it (%s)", (errno, code, message) => {
    const cause = nodeError(errno, `connect ${errno} /run/x`);
    expect(outcome(unixConnectFailure("unix:/run/x", cause))).toEqual({ code, message, cause });
  });
});
