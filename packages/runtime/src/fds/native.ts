/**
 * The optional addon `@varlink-ts/native`, loaded on first need. Node cannot pass file
 * descriptors (SCM_RIGHTS) nor read a unix peer's credentials (SO_PEERCRED); the addon can. The
 * runtime never requires it: without it, what needs it fails with {@link FdPassingUnavailableError}
 * and everything else works as before.
 *
 * The addon's types are described here by what the runtime uses, so that the runtime's own
 * declarations do not name a package its users may not have installed.
 */
import type { Duplex } from "node:stream";

/** A unix socket from the addon: a Duplex that also sends and receives descriptors. */
export interface NativeSocket extends Duplex {
  writeWithFds(chunk: Uint8Array | string, fds: readonly number[], callback?: (error?: Error | null) => void): boolean;
  on(event: "fds", listener: (received: { fds: number[]; offset: number; length: number }) => void): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
}

/** A listening unix socket from the addon. */
export interface NativeServer {
  readonly address: string;
  close(): Promise<void>;
  on(event: "connection", listener: (socket: NativeSocket) => void): this;
  on(event: "error", listener: (error: Error) => void): this;
}

/** Peer credentials as SO_PEERCRED gives them. */
export interface NativeCredentials {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
}

/** What the runtime uses of `@varlink-ts/native`. */
export interface NativeModule {
  connectUnix(pathOrAbstract: string, options?: { acceptFds?: boolean }): Promise<NativeSocket>;
  listenUnix(
    pathOrAbstract: string,
    onConnection: (socket: NativeSocket) => void,
    options?: { acceptFds?: boolean; mode?: number },
  ): Promise<NativeServer>;
  peerCredentials(target: unknown): NativeCredentials;
  isNativeAvailable(): boolean;
  nativeLoadError(): Error | undefined;
}

/** Thrown where file descriptors or peer credentials are asked for and the addon is not there. */
export class FdPassingUnavailableError extends Error {
  override readonly name = "FdPassingUnavailableError";
  /** `ERR_VARLINK_NATIVE_MISSING`. */
  readonly code = "ERR_VARLINK_NATIVE_MISSING";
}

const NATIVE_PACKAGE: string = "@varlink-ts/native";

let loading: Promise<NativeModule | undefined> | undefined;
let loaded: NativeModule | undefined;

/** The addon, or undefined when it is not installed or cannot load on this machine. */
export function loadNative(): Promise<NativeModule | undefined> {
  // A name in a variable: bundlers building for browsers must not follow it.
  const name = NATIVE_PACKAGE;
  loading ??= import(name).then(
    (module: NativeModule) => {
      if (!module.isNativeAvailable()) return undefined;
      loaded = module;
      return module;
    },
    () => undefined,
  );
  return loading;
}

/** The addon if it has been loaded already (see {@link loadNative}); never loads it. */
export function nativeIfLoaded(): NativeModule | undefined {
  return loaded;
}

/**
 * The addon, for `what`.
 * @throws FdPassingUnavailableError (as a rejection) when it is missing or cannot load.
 */
export async function requireNative(what: string): Promise<NativeModule> {
  const native = await loadNative();
  if (native !== undefined) return native;
  throw new FdPassingUnavailableError(
    `${what} needs @varlink-ts/native (npm install @varlink-ts/native), which is not installed or cannot load here`,
  );
}

/** Whether `stream` is one of the addon's sockets, which carry descriptors. */
export function isNativeSocket(stream: unknown): stream is NativeSocket {
  return typeof (stream as { writeWithFds?: unknown } | null)?.writeWithFds === "function";
}
