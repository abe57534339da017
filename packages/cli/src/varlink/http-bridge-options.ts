/**
 * The options of `varlink http-bridge` read into what the runtime's `serveHttp` takes: where to
 * listen, the services by name, the base path, the browser origins, the allowed hosts, and the
 * files of its TLS keys and bearer tokens. Mistakes on the command line are usage errors (exit
 * 2); files that cannot be read or hold nothing usable fail the start (exit 1), each with one
 * clear line.
 */
import { readFile as readFileText } from "node:fs/promises";
import { isIPv6 } from "node:net";
import { createSecureContext } from "node:tls";
import type { Address } from "@varlink-ts/runtime";
import { isInterfaceName } from "@varlink-ts/runtime/idl";
import { parseAddress } from "@varlink-ts/runtime/transport";
import { InvalidArgumentError } from "commander";
import type { CommandContext } from "./context.js";
import { EXIT_FAILED } from "./exit-codes.js";
import { CommandFailure } from "./failures.js";
import { readStream } from "./files.js";

/**
 * Where the bridge listens unless told: this machine only, on the port of systemd's
 * varlink-http-bridge (1031).
 */
export const DEFAULT_LISTEN = "127.0.0.1:1031";

/** A host and a TCP port to listen on. */
export interface ListenAddress {
  /** A name or an IP address; an IPv6 address without its brackets. */
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
}

/** `--listen HOST:PORT`, IPv6 as `[::1]:PORT`. */
export function parseListen(text: string): ListenAddress {
  const match = /^(?:\[([^\]]*)\]|([^[\]:]*)):([^:]*)$/.exec(text);
  if (match === null) {
    throw new InvalidArgumentError(
      text.split(":").length > 2
        ? `write an IPv6 address in brackets, as [::1]:1031`
        : `expected HOST:PORT, such as 127.0.0.1:1031`,
    );
  }
  const [, bracketed, plain, portText = ""] = match;
  const host = bracketed ?? plain ?? "";
  if (host === "") {
    throw new InvalidArgumentError(`no host: write 127.0.0.1:PORT for this machine, 0.0.0.0:PORT or [::]:PORT for every interface`);
  }
  if (bracketed !== undefined && !isIPv6(host)) {
    throw new InvalidArgumentError(`"${host}" in brackets is not an IPv6 address`);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new InvalidArgumentError(`"${portText}" is not a port number (0 to 65535; 0 picks a free one)`);
  }
  return { host, port: Number(portText) };
}

/** A `--service NAME=ADDRESS`. */
export interface ServiceMapping {
  readonly name: string;
  readonly address: Address;
}

/** `--service NAME=ADDRESS`, added to those given before. */
export function collectService(value: string, previous: readonly ServiceMapping[] | undefined): readonly ServiceMapping[] {
  const equals = value.indexOf("=");
  if (equals === -1) {
    throw new InvalidArgumentError(`expected NAME=ADDRESS, such as org.example.more=unix:/run/org.example.more`);
  }
  const name = value.slice(0, equals);
  if (!isInterfaceName(name)) {
    throw new InvalidArgumentError(`"${name}" is not a service name such as org.example.more`);
  }
  if (previous?.some((service) => service.name === name) === true) {
    throw new InvalidArgumentError(`${name} is given twice`);
  }
  let address: Address;
  try {
    address = parseAddress(value.slice(equals + 1));
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
  return [...(previous ?? []), { name, address }];
}

/** `--base-path /PATH`: where the routes start. */
export function parseBasePath(text: string): string {
  if (!/^\/[^\s?#]*$/.test(text)) {
    throw new InvalidArgumentError(`a base path starts with / and has no spaces, ? or #, such as /varlink/`);
  }
  return text;
}

/**
 * `--allow-origin ORIGIN`, as a browser sends it (`https://example.org:8443`), added to those
 * before. The same rules as the runtime's `allowOrigins` (normalizeOrigin in
 * packages/runtime/src/http/security.ts), kept here so that parsing the command line does not
 * load the HTTP server.
 */
export function collectOrigin(value: string, previous: readonly string[] | undefined): readonly string[] {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const plain =
    url !== undefined &&
    (url.protocol === "http:" || url.protocol === "https:") &&
    url.username === "" &&
    url.password === "" &&
    url.pathname === "/" &&
    url.search === "" &&
    url.hash === "" &&
    !value.endsWith("?") &&
    !value.endsWith("#");
  if (url === undefined || !plain) {
    throw new InvalidArgumentError(`an origin is SCHEME://HOST[:PORT] with no path, such as https://example.org`);
  }
  // As browsers write it: lower case, without the scheme's default port or a trailing slash.
  return [...(previous ?? []), url.origin];
}

/**
 * `--allow-host HOST`: a host name or IP address (IPv6 with or without brackets), without a port,
 * that a bridge on loopback answers besides loopback ones; added to those before. The same rules
 * as the runtime's `allowHosts` (normalizeHost in packages/runtime/src/http/security.ts).
 */
export function collectHost(value: string, previous: readonly string[] | undefined): readonly string[] {
  let host: string | undefined;
  if (isIPv6(value)) host = value;
  else if (/^\[[^\]]*\]$/.test(value)) host = isIPv6(value.slice(1, -1)) ? value.slice(1, -1) : undefined;
  else if (/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(value) && !value.includes("..")) host = value.replace(/\.$/, "");
  if (host === undefined) {
    throw new InvalidArgumentError(`a host is a name or an IP address without a port, such as bridge.example`);
  }
  return [...(previous ?? []), host.toLowerCase()];
}

/**
 * The bearer tokens of a `--token-file`: one a line; blank lines and lines starting with `#`
 * are left out. `-` reads standard input.
 *
 * @throws CommandFailure (exit 1) when the file cannot be read, holds no token, or a line is no token.
 */
export async function readTokens(context: CommandContext, path: string): Promise<readonly string[]> {
  const text = await readFile(context, path);
  const tokens: string[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    const token = line.trim();
    if (token === "" || token.startsWith("#")) continue;
    if (!/^[\x21-\x7e]+$/.test(token)) {
      throw new CommandFailure(
        EXIT_FAILED,
        `${path}:${index + 1}: a token is one word of printable ASCII characters, without spaces`,
      );
    }
    tokens.push(token);
  }
  if (tokens.length === 0) {
    throw new CommandFailure(EXIT_FAILED, `${path} holds no token (one a line; # starts a comment)`);
  }
  return tokens;
}

/** The key material for HTTPS, as the runtime takes it. */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
}

/**
 * Reads `--cert`, `--key` and `--client-ca` and checks that they make a usable TLS server (the
 * key matches the certificate), so that a wrong file is named before anything listens.
 *
 * @throws CommandFailure (exit 1) naming the file that cannot be read or used.
 */
export async function readTls(
  context: CommandContext,
  paths: { readonly cert: string; readonly key: string; readonly clientCa?: string | undefined },
): Promise<TlsFiles> {
  const cert = await readFile(context, paths.cert);
  const key = await readFile(context, paths.key);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new CommandFailure(
      EXIT_FAILED,
      `cannot use the certificate ${paths.cert} with the key ${paths.key}: ${tlsReason(error)}`,
      { cause: error },
    );
  }
  if (paths.clientCa === undefined) return { cert, key };
  const ca = await readFile(context, paths.clientCa);
  try {
    // A file without a certificate would make the server refuse every client.
    if (!ca.includes("-----BEGIN CERTIFICATE-----")) throw new Error("no PEM certificate in it");
    createSecureContext({ ca });
  } catch (error) {
    throw new CommandFailure(EXIT_FAILED, `cannot use the client CA ${paths.clientCa}: ${tlsReason(error)}`, {
      cause: error,
    });
  }
  return { cert, key, ca };
}

/** OpenSSL's reason without its numeric prefix: `error:0480006C:PEM routines::no start line` → `no start line (PEM routines)`. */
function tlsReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const openssl = /^error:[0-9A-Fa-f]+:([^:]*):[^:]*:(.+)$/.exec(message);
  return openssl === null ? message : `${openssl[2]} (${openssl[1]})`;
}

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "a component of the path is not a directory",
};

/**
 * A file's text; `-` is standard input.
 * @throws CommandFailure (exit 1) saying why it cannot be read.
 */
async function readFile(context: CommandContext, path: string): Promise<string> {
  try {
    return path === "-" ? await readStream(context.stdin) : await readFileText(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason =
      typeof code === "string" && REASONS[code] !== undefined
        ? REASONS[code]
        : error instanceof Error
          ? error.message
          : String(error);
    throw new CommandFailure(EXIT_FAILED, `cannot read ${path}: ${reason}`, { cause: error });
  }
}
