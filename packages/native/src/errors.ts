/**
 * Node-style system errors from the negative errno values the addon returns.
 */
import { getSystemErrorName } from "node:util";
import { native } from "./native.js";

/** An error like Node's own for a failed system call: `code`, `errno`, `syscall`, `address`. */
export interface SystemError extends Error {
  /** The errno name, e.g. `ECONNREFUSED`. */
  code: string;
  /** The negative errno value, as Node reports it. */
  errno: number;
  /** The system call that failed, e.g. `connect`. */
  syscall: string;
  /** The address involved, when there is one. */
  address?: string;
}

/** The error for `errno` (negative) from `syscall`. @internal */
export function systemError(errno: number, syscall: string, address?: string): SystemError {
  let code: string;
  try {
    code = getSystemErrorName(errno);
  } catch {
    code = `Unknown system error ${errno}`;
  }
  const where = address === undefined ? "" : ` ${address}`;
  const error = new Error(`${syscall} ${code}: ${native().strerror(errno)}${where}`) as SystemError;
  error.code = code;
  error.errno = errno;
  error.syscall = syscall;
  if (address !== undefined) error.address = address;
  return error;
}
