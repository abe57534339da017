/**
 * What a failed connect or listen became in Node's terms, and the ConnectionError a caller sees
 * for a failed connect: one place for the socket, addon and WebSocket clients alike.
 */
import { ConnectionError } from "../errors.js";

/** The errno-style code of a Node error; for a failed multi-address TCP connect, the first one's. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errorCode(errors[0]) : undefined;
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
  if (code === "ENOENT") {
    return new ConnectionError("not-found", `cannot connect to ${label}: no such socket`, {
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new ConnectionError("io", `cannot connect to ${label}: ${reason}`, { cause: error });
}

/**
 * {@link connectFailure} for a unix or abstract socket. Such a connect lands in the service's
 * queue at once; when the service dies (or closes its socket) before accepting it, the connect
 * itself can end in a reset. Nothing took the connection, as with a refusal, and a caller that
 * explains refusals (an activator reporting its service's exit) must be able to explain this one
 * too. (Over TCP or TLS a reset comes from a service that did accept, and stays `io`.)
 */
export function unixConnectFailure(label: string, error: unknown): ConnectionError {
  if (errorCode(error) !== "ECONNRESET") return connectFailure(label, error);
  return new ConnectionError(
    "refused",
    `cannot connect to ${label}: the service closed its socket before accepting the connection (connection reset)`,
    { cause: error },
  );
}
