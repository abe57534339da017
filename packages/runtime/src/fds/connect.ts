/**
 * Client connections through the addon: unix sockets that pass file descriptors, and abstract
 * sockets addressed with their exact length where Node's libuv pads them (Node 20).
 */
import type { CallOptions } from "../types.js";
import { describeAddress, toAddress, type AbstractAddress, type Address, type UnixAddress } from "../transport/address.js";
import { connectFailure } from "../transport/connect-failure.js";
import { withDeadline } from "../transport/deadline.js";
import { requireNative, type NativeModule, type NativeSocket } from "./native.js";

/**
 * libuv before 1.48 (Node 20) binds and connects abstract names padded to the whole `sun_path`,
 * so other implementations never meet them; the addon uses the exact length.
 */
export const LIBUV_PADS_ABSTRACT = (() => {
  const [major = 0, minor = 0] = (process.versions.uv ?? "").split(".").map(Number);
  return major < 1 || (major === 1 && minor < 48);
})();

/** The addon's name for a unix or abstract address. */
export function nativePath(address: UnixAddress | AbstractAddress): string {
  return address.kind === "unix" ? address.path : `@${address.name}`;
}

/**
 * Opens a unix socket that passes file descriptors, for `connect(address, { fds: true })`.
 * @throws TypeError (as a rejection) for an address that is not a unix or abstract socket.
 * @throws FdPassingUnavailableError (as a rejection) when the addon is missing.
 * @throws ConnectionError (as a rejection) as `connect` does.
 */
export async function openFdStream(address: string | Address, options: CallOptions = {}): Promise<NativeSocket> {
  const target = toAddress(address);
  const label = describeAddress(target);
  if (target.kind !== "unix" && target.kind !== "abstract") {
    throw new TypeError(`cannot pass file descriptors to ${label}: they travel over unix sockets only`);
  }
  const native = await requireNative("passing file descriptors");
  return withDeadline(`connecting to ${label}`, options, (signal) =>
    connectNative(native, target, label, signal, true),
  );
}

/** One connect through the addon; rejects with `signal.reason` when it fires first. */
export function connectNative(
  native: NativeModule,
  target: UnixAddress | AbstractAddress,
  label: string,
  signal: AbortSignal,
  acceptFds: boolean,
): Promise<NativeSocket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    const onAbort = (): void => {
      settled = true;
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    native.connectUnix(nativePath(target), { acceptFds }).then(
      (socket) => {
        signal.removeEventListener("abort", onAbort);
        if (settled) socket.destroy();
        else resolve(socket);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        if (!settled) reject(connectFailure(label, error));
      },
    );
  });
}
