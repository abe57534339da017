/**
 * What a failed connect or listen became in Node's terms, and the ConnectionError a caller sees
 * for a failed connect: one place for the socket, addon and WebSocket clients alike.
 */
import { ConnectionError } from "../errors.js";

/** The Node system error behind `error`: itself, or a failed multi-address TCP connect's first. */
function systemError(error: unknown): { readonly code?: unknown; readonly syscall?: unknown } | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (typeof code !== "string" && Array.isArray(errors)) return systemError(errors[0]);
  return error;
}

/** The errno-style code of a Node error; for a failed multi-address TCP connect, the first one's. */
export function errorCode(error: unknown): string | undefined {
  const code = systemError(error)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Whether a connect failed because nothing took the connection: nothing listens
 * (ECONNREFUSED), or the service closed its socket, or died, with the connection still in its
 * queue, not accepted. The kernel queues a connection before the service accepts it, so the
 * connect itself then ends in a reset. A reset on a later read (a TLS handshake refused, say)
 * comes from a service that took the connection, and is not this.
 */
export function nothingAccepted(error: unknown): boolean {
  const code = errorCode(error);
  return code === "ECONNREFUSED" || (code === "ECONNRESET" && systemError(error)?.syscall === "connect");
}

/** The ConnectionError for a failed connect to `label`, keeping the Node error as `cause`. */
export function connectFailure(label: string, error: unknown): ConnectionError {
  const code = errorCode(error);
  if (code === "ECONNREFUSED") {
    return new ConnectionError(
      "refused",
      `cannot connect to ${label}: connection refused (nothing is listening there)`,
      { cause: error },
    );
  }
  // Refused too: a caller that explains refusals (an activator, by its service's exit) must be
  // able to explain this one.
  if (nothingAccepted(error)) {
    return new ConnectionError(
      "refused",
      `cannot connect to ${label}: the service closed its socket before accepting the connection (connection reset)`,
      { cause: error },
    );
  }
  if (code === "ENOENT") {
    return new ConnectionError("not-found", `cannot connect to ${label}: no such socket`, {
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ConnectionError("io", `cannot connect to ${label}: ${reason}`, { cause: error });
}
