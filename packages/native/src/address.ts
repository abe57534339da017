/**
 * Socket addresses: a file-system path, or `@name` for Linux's abstract namespace.
 */

/** Longest name: `sun_path` is 108 bytes; a path needs its NUL, an abstract name its leading NUL. */
export const MAX_NAME_BYTES = 107;

/** A parsed address: the bytes the kernel sees, and whether they name an abstract socket. @internal */
export interface ParsedAddress {
  bytes: Buffer;
  abstract: boolean;
}

/**
 * Parses `pathOrAbstract`: `@name` is the abstract socket `name` (bound and connected with its
 * exact length, with no padding, as systemd, Go and Python do), anything else a file-system path.
 * Names are encoded as UTF-8.
 *
 * @throws TypeError for an empty path or name, a path with a NUL byte, or a name longer than
 *   {@link MAX_NAME_BYTES} bytes.
 */
export function parseAddress(pathOrAbstract: string): ParsedAddress {
  if (typeof pathOrAbstract !== "string" || pathOrAbstract === "") {
    throw new TypeError("a unix socket address must be a non-empty path or @name");
  }
  const abstract = pathOrAbstract.startsWith("@");
  const bytes = Buffer.from(abstract ? pathOrAbstract.slice(1) : pathOrAbstract, "utf8");
  if (abstract && bytes.length === 0)
    throw new TypeError("the abstract socket name after @ is empty");
  if (!abstract && bytes.includes(0))
    throw new TypeError("a socket path cannot contain a NUL byte");
  if (bytes.length > MAX_NAME_BYTES) {
    throw new TypeError(
      `the socket ${abstract ? "name" : "path"} ${JSON.stringify(pathOrAbstract)} is longer than ${MAX_NAME_BYTES} bytes`,
    );
  }
  return { bytes, abstract };
}

/** The address text for the raw `sun_path` bytes from getsockname/getpeername. @internal */
export function formatAddress(raw: Buffer): string {
  if (raw.length === 0) return "";
  return raw[0] === 0 ? `@${raw.subarray(1).toString("utf8")}` : raw.toString("utf8");
}
