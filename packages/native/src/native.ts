/**
 * Finding and loading the compiled addon: the freshly built `addon/build/Release` first (a
 * developer's `pnpm run build:native`), then the binary shipped in `prebuilds/<platform>-<arch>/`.
 * Loading happens on first use, so importing this package never throws.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The addon's file name, in either place. */
const BINARY = "varlink_native.node";
/** The ABI of the addon's JavaScript interface that this wrapper was written for. */
const ABI = 1;

/** The native handle class: one owned socket fd watched by a libuv poll. @internal */
export interface NativeHandle {
  /** The fd, or -1 once closed. */
  readonly fd: number;
  /** Which events to watch (READABLE | WRITABLE), 0 to stop. Returns 0 or a negative errno. */
  setEvents(mask: number): number;
  /** Bytes read (0 at the end of the stream), a negative errno, or TRUNCATED. */
  recv(buffer: Uint8Array, acceptFds: boolean, fdsOut: number[]): number;
  /** Bytes written or a negative errno; fds travel with the first byte written. */
  send(buffers: readonly Uint8Array[], fds: readonly number[] | null): number;
  /** A connected fd (non-blocking, close-on-exec) or a negative errno. */
  accept(): number;
  /** shutdown(SHUT_WR): 0 or a negative errno. */
  shutdown(): number;
  /** Stops watching and closes the fd; idempotent. */
  close(): void;
  ref(): void;
  unref(): void;
}

/** What the addon exports. @internal */
export interface NativeBinding {
  Handle: new (fd: number, callback: (status: number, events: number) => void) => NativeHandle;
  connect(name: Uint8Array, abstract: boolean): number;
  listen(name: Uint8Array, abstract: boolean, backlog: number, passRights: number): number;
  socketpair(): [number, number] | number;
  pipe(): [number, number] | number;
  peerCred(fd: number): [pid: number, uid: number, gid: number] | number;
  peerPidfd(fd: number): number;
  setPassRights(fd: number, on: number): number;
  getPassRights(fd: number): number;
  prepareFd(fd: number): number;
  isListening(fd: number): number;
  sockName(fd: number, peer: boolean): Buffer | number;
  strerror(errno: number): string;
  readonly READABLE: number;
  readonly WRITABLE: number;
  readonly DISCONNECT: number;
  readonly TRUNCATED: number;
  readonly MAX_FDS: number;
  readonly MAX_IOV: number;
  readonly ABI: number;
}

/**
 * Thrown by every function of this package when the addon cannot be loaded: another platform
 * than Linux, an architecture with no prebuilt binary and no local build, or a binary that the
 * system refuses (for instance a C library other than glibc). `cause` holds the loader's error.
 */
export class NativeUnavailableError extends Error {
  override readonly name = "NativeUnavailableError";
  /** `ERR_VARLINK_NATIVE_UNAVAILABLE`. */
  readonly code = "ERR_VARLINK_NATIVE_UNAVAILABLE";
  /** The files that were tried, in order. */
  readonly tried: readonly string[];

  constructor(message: string, tried: readonly string[], options?: { cause?: unknown }) {
    super(message, options);
    this.tried = tried;
  }
}

const packageRoot = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);

let binding: NativeBinding | undefined;
let loadError: NativeUnavailableError | undefined;
let loadedFrom: string | undefined;

/** The places the addon is looked for, in order. */
export function candidatePaths(): string[] {
  return [
    join(packageRoot, "addon", "build", "Release", BINARY),
    join(packageRoot, "prebuilds", `${process.platform}-${process.arch}`, BINARY),
  ];
}

function load(): NativeBinding {
  const tried = candidatePaths();
  if (process.platform !== "linux") {
    throw new NativeUnavailableError(
      `@varlink-ts/native works on Linux only (this is ${process.platform})`,
      [],
    );
  }
  const failures: string[] = [];
  let lastError: unknown;
  for (const path of tried) {
    if (!existsSync(path)) {
      failures.push(`${path}: not found`);
      continue;
    }
    try {
      const loaded = require(path) as NativeBinding;
      if (loaded.ABI !== ABI) {
        failures.push(`${path}: interface version ${String(loaded.ABI)}, expected ${ABI}`);
        continue;
      }
      loadedFrom = path;
      return loaded;
    } catch (error) {
      lastError = error;
      failures.push(`${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new NativeUnavailableError(
    `the native addon of @varlink-ts/native could not be loaded for ${process.platform}-${process.arch} ` +
      `(run \`pnpm run build:native\` in packages/native to build it): ${failures.join("; ")}`,
    tried,
    { cause: lastError },
  );
}

/** The loaded addon; throws {@link NativeUnavailableError} when it cannot be loaded. @internal */
export function native(): NativeBinding {
  if (binding !== undefined) return binding;
  if (loadError !== undefined) throw loadError;
  try {
    binding = load();
    return binding;
  } catch (error) {
    loadError =
      error instanceof NativeUnavailableError
        ? error
        : new NativeUnavailableError(String(error), candidatePaths(), { cause: error });
    throw loadError;
  }
}

/**
 * Whether the addon loads here. Never throws: use it to fall back to Node's own sockets (no
 * file-descriptor passing, no peer credentials) when it does not.
 */
export function isNativeAvailable(): boolean {
  try {
    native();
    return true;
  } catch {
    return false;
  }
}

/** Why the addon does not load (trying to load it first if needed), or undefined when it loads. */
export function nativeLoadError(): NativeUnavailableError | undefined {
  return isNativeAvailable() ? undefined : loadError;
}

/** The file the addon was loaded from, or undefined when it does not load. */
export function nativeBinaryPath(): string | undefined {
  return isNativeAvailable() ? loadedFrom : undefined;
}
