/**
 * What a failed socket connect becomes: the ConnectionError code a caller branches on (an
 * activator explains `refused` and `not-found` by its service's exit), with Node's error as cause.
 */
import { describe, expect, it } from "vitest";
import { ConnectionError } from "@varlink-ts/runtime";
import { connectFailure } from "../../../src/transport/connect-failure.js";

function nodeError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code, syscall: "connect" });
}

describe("connectFailure", () => {
  it.each([
    ["ECONNREFUSED", "refused", "cannot connect to unix:/run/x: connection refused (nothing is listening there)"],
    ["ENOENT", "not-found", "cannot connect to unix:/run/x: no such socket"],
    // The service died or closed its socket with the connection still queued, not accepted.
    [
      "ECONNRESET",
      "refused",
      "cannot connect to unix:/run/x: the service closed its socket before accepting the connection (connection reset)",
    ],
    ["EACCES", "io", "cannot connect to unix:/run/x: connect EACCES /run/x"],
  ])("%s is %s", (errno, code, message) => {
    const cause = nodeError(errno, `connect ${errno} /run/x`);
    const error = connectFailure("unix:/run/x", cause);
    expect(error).toBeInstanceOf(ConnectionError);
    expect({ code: error.code, message: error.message, cause: error.cause }).toEqual({ code, message, cause });
  });
});
