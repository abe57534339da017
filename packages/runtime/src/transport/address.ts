/**
 * Varlink addresses: the strings peers pass around (`unix:/run/x`, `tcp:[::1]:7000`, ...) and the
 * objects the runtime works with.
 *
 * Every string form is `KIND:REST`, optionally followed by `;key=value` parameters. The only
 * parameter understood is `mode` on `unix:` paths; others are ignored, so addresses written for
 * other implementations still parse. The `ssh-unix:` and `ssh-exec:` forms are systemd's and, as
 * in systemd, take no parameters. `formatAddress` is the inverse of `parseAddress`: it refuses
 * objects whose string would parse back to something else.
 */
import { isIPv4, isIPv6 } from "node:net";
import { joinCommandLine, splitCommandLine } from "./command-line.js";
import { isWebSocketUrl, redactUrl, webSocketUrl } from "./websocket-url.js";

/**
 * A unix socket in the file system: `unix:/run/org.example.service`.
 * `mode` (from `;mode=0660`) is the permission a listener gives the socket file.
 */
export interface UnixAddress {
  kind: "unix";
  path: string;
  mode?: number;
}

/** A socket in Linux's abstract namespace: `unix:@name` (no file; `name` excludes the `@`). */
export interface AbstractAddress {
  kind: "abstract";
  name: string;
}

/**
 * A TCP endpoint: `tcp:127.0.0.1:7000`, `tcp:localhost:7000`, `tcp:[::1]:7000`.
 * `host` holds an IPv6 address without its brackets. Port 0 lets a listener pick a free port.
 */
export interface TcpAddress {
  kind: "tcp";
  host: string;
  port: number;
}

/**
 * A service started on demand with socket activation: `exec:/usr/libexec/service`.
 * In the string form, spaces separate the program from its arguments and there is no quoting
 * (`exec:/usr/bin/python3 service.py`); use the object form for arguments that contain spaces.
 */
export interface ExecAddress {
  kind: "exec";
  command: string;
  args: string[];
}

/**
 * A command whose stdin and stdout carry the connection, such as `ssh host varlink bridge`.
 * It has no string form: commands take it as an object (for example from a `--bridge` option).
 */
export interface BridgeAddress {
  kind: "bridge";
  command: string;
  args: string[];
}

/**
 * A unix socket on another machine, reached through the system's `ssh` (systemd's form):
 * `ssh-unix:HOST:/run/org.example.service`, where HOST is anything ssh accepts as a destination
 * (`user@host`, a `Host` alias) without a colon. The path must be absolute; the remote sshd must
 * be OpenSSH 9.4 or newer. (systemd also reads `ssh:`, this form's name in v256; not accepted here.)
 */
export interface SshUnixAddress {
  kind: "ssh-unix";
  host: string;
  path: string;
}

/**
 * A command run on another machine through the system's `ssh`, whose stdin and stdout carry the
 * connection (systemd's form): `ssh-exec:HOST:COMMAND ARGS...`. The command line is split as
 * systemd splits it (quotes and C escapes, see command-line.ts); ssh then joins the words with
 * spaces for the remote shell, so quoting protects words only on this side.
 */
export interface SshExecAddress {
  kind: "ssh-exec";
  host: string;
  command: string;
  /**
   * Not an argv: ssh joins `command` and these with spaces into one line that the remote user's
   * shell reads, so `$(…)`, `;`, quotes and spaces in them are the shell's. Never put untrusted
   * text here without quoting it for that shell yourself.
   */
  args: string[];
}

/**
 * A service behind an HTTP bridge, reached in WebSocket mode (UAPI.20):
 * `ws://host:port/base/ws/services/org.example.service`, `wss://…`, or `http://`/`https://` with
 * the same path. `url` is normalized to `ws:`/`wss:`. A bearer token goes in the query,
 * `?access_token=TOKEN`, since browsers cannot set headers on a WebSocket.
 */
export interface WebSocketAddress {
  kind: "websocket";
  url: string;
}

/** Where a varlink service is reached or served. */
export type Address =
  | UnixAddress
  | AbstractAddress
  | TcpAddress
  | ExecAddress
  | BridgeAddress
  | SshUnixAddress
  | SshExecAddress
  | WebSocketAddress;

/** Linux rejects socket paths of 108 bytes or more (`sun_path` including its terminating NUL). */
const MAX_SOCKET_PATH_BYTES = 107;
const HOSTNAME = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const PORT = /^[0-9]{1,5}$/;
const MODE = /^[0-7]{1,4}$/;
const KIND = /^[a-z][a-z0-9-]*$/;

function invalid(address: string, problem: string): TypeError {
  return new TypeError(`invalid varlink address ${JSON.stringify(address)}: ${problem}`);
}

/**
 * Parses a varlink address string.
 *
 * @throws TypeError naming the address and what is wrong with it.
 */
export function parseAddress(address: string): Address {
  if (typeof address !== "string") {
    throw new TypeError(`a varlink address must be a string, got ${typeof address}`);
  }
  // URLs have their own syntax (";" and ":" mean other things there).
  if (isWebSocketUrl(address)) return { kind: "websocket", url: webSocketUrl(address) };
  const colon = address.indexOf(":");
  const kind = colon === -1 ? "" : address.slice(0, colon);
  if (!KIND.test(kind)) {
    throw invalid(address, "expected KIND:..., such as unix:/run/example or tcp:host:port");
  }
  const semicolon = address.indexOf(";", colon);
  const rest = address.slice(colon + 1, semicolon === -1 ? undefined : semicolon);
  const parameters =
    semicolon === -1 ? new Map<string, string>() : parseParameters(address.slice(semicolon + 1));
  if (rest.includes("\0")) {
    throw invalid(address, "it contains a NUL byte");
  }
  switch (kind) {
    case "unix":
      return rest.startsWith("@")
        ? parseAbstract(address, rest.slice(1))
        : parseUnix(address, rest, parameters);
    case "tcp":
      return parseTcp(address, rest);
    case "exec":
      return parseExec(address, rest);
    case "ssh-unix":
    case "ssh-exec":
      return parseSsh(address, kind, rest, semicolon !== -1);
    case "bridge":
      throw invalid(address, 'a bridge has no string form; pass { kind: "bridge", command, args }');
    default:
      throw invalid(address, `unsupported kind "${kind}" (expected unix, tcp, exec or a ws:// URL)`);
  }
}

function parseParameters(text: string): Map<string, string> {
  const parameters = new Map<string, string>();
  for (const item of text.split(";")) {
    const equals = item.indexOf("=");
    if (equals === -1) parameters.set(item, "");
    else parameters.set(item.slice(0, equals), item.slice(equals + 1));
  }
  return parameters;
}

function parseUnix(address: string, path: string, parameters: Map<string, string>): UnixAddress {
  checkSocketPath(address, path, "socket path");
  const result: UnixAddress = { kind: "unix", path };
  const mode = parameters.get("mode");
  if (mode !== undefined) {
    if (!MODE.test(mode)) {
      throw invalid(address, `mode must be an octal permission such as 0666, got "${mode}"`);
    }
    result.mode = Number.parseInt(mode, 8);
  }
  return result;
}

function parseAbstract(address: string, name: string): AbstractAddress {
  // The leading NUL that marks an abstract name takes one byte of `sun_path`; the name needs no
  // terminating NUL, so it may use the 107 bytes left.
  if (name === "") throw invalid(address, "the abstract socket name after @ is empty");
  if (Buffer.byteLength(name) > MAX_SOCKET_PATH_BYTES) {
    throw invalid(
      address,
      `the abstract socket name is longer than ${MAX_SOCKET_PATH_BYTES} bytes`,
    );
  }
  return { kind: "abstract", name };
}

function checkSocketPath(address: string, path: string, what: string): void {
  if (path === "") throw invalid(address, `the ${what} is empty`);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw invalid(
      address,
      `the ${what} is longer than ${MAX_SOCKET_PATH_BYTES} bytes, the limit of unix sockets`,
    );
  }
}

function parseTcp(address: string, rest: string): TcpAddress {
  const colon = rest.lastIndexOf(":");
  if (colon === -1) throw invalid(address, "missing port (expected tcp:HOST:PORT)");
  const hostText = rest.slice(0, colon);
  const portText = rest.slice(colon + 1);
  let host: string;
  if (hostText.startsWith("[") && hostText.endsWith("]")) {
    host = hostText.slice(1, -1);
    if (!isIPv6(host)) throw invalid(address, `"${host}" in brackets is not an IPv6 address`);
  } else if (hostText.includes(":")) {
    throw invalid(address, "an IPv6 host must be in brackets, as in tcp:[::1]:PORT");
  } else if (hostText === "") {
    throw invalid(address, "missing host (expected tcp:HOST:PORT)");
  } else if (!isIPv4(hostText) && !HOSTNAME.test(hostText)) {
    throw invalid(address, `"${hostText}" is not a host name or IP address`);
  } else {
    host = hostText;
  }
  if (!PORT.test(portText) || Number(portText) > 65535) {
    throw invalid(address, `the port must be a number from 0 to 65535, got "${portText}"`);
  }
  return { kind: "tcp", host, port: Number(portText) };
}

function parseExec(address: string, rest: string): ExecAddress {
  const words = rest.split(/\s+/).filter((word) => word !== "");
  const command = words.shift();
  if (command === undefined)
    throw invalid(address, "missing the program to run (expected exec:/path/to/program)");
  return { kind: "exec", command, args: words };
}

/**
 * `ssh-unix:HOST:PATH` and `ssh-exec:HOST:COMMAND`, checked as systemd's `sd_varlink_connect_url()`
 * checks them: no `;`, `?` or `#` anywhere, HOST up to the first colon, an absolute PATH without
 * `..`, a command line that splits into at least one word.
 */
function parseSsh(
  address: string,
  kind: string,
  rest: string,
  hasParameters: boolean,
): SshUnixAddress | SshExecAddress {
  if (hasParameters || /[?#]/.test(rest)) {
    throw invalid(address, `${kind}: addresses take no ";", "?" or "#" (systemd refuses them)`);
  }
  const colon = rest.indexOf(":");
  if (colon === -1) {
    throw invalid(address, `missing the ":" after the host (expected ${kind}:HOST:...)`);
  }
  const host = rest.slice(0, colon);
  if (host === "") throw invalid(address, "the ssh host is empty");
  // ssh would read a destination starting with "-" as an option: never pass one on.
  if (host.startsWith("-")) throw invalid(address, `the ssh host "${host}" starts with "-"`);
  const remote = rest.slice(colon + 1);
  if (kind === "ssh-unix") {
    if (!remote.startsWith("/")) {
      throw invalid(address, `the remote socket path "${remote}" is not absolute`);
    }
    if (remote.split("/").includes("..")) {
      throw invalid(address, `the remote socket path "${remote}" contains ".."`);
    }
    return { kind: "ssh-unix", host, path: remote };
  }
  let words: string[];
  try {
    words = splitCommandLine(remote);
  } catch (error) {
    throw invalid(address, (error as Error).message);
  }
  const command = words.shift();
  if (command === undefined) throw invalid(address, "the remote command line is empty");
  return { kind: "ssh-exec", host, command, args: words };
}

/**
 * The string form of an address; `parseAddress` turns it back into an equal object.
 * A bridge, which has no string form, is written as `bridge:COMMAND ARGS...` for messages only.
 *
 * @throws TypeError when the object is not a valid address or cannot be written as a string
 *   (an `exec` argument with a space or `;`, a unix path with `;`, a port out of range).
 */
export function formatAddress(address: Address): string {
  const text = formatUnchecked(address);
  if (address.kind === "bridge") {
    checkCommand(text, address);
    return text;
  }
  const parsed = parseAddress(text);
  if (!sameAddress(parsed, address)) {
    throw new TypeError(
      `cannot write ${describeAddress(address)} as an address string: it would read back differently`,
    );
  }
  return text;
}

/**
 * A readable form of any address object, for messages; never throws. Unlike `formatAddress`, it
 * leaves out secrets: a WebSocket URL is shown with its query values `REDACTED`
 * (`?access_token=REDACTED`).
 */
export function describeAddress(address: Address): string {
  try {
    if (address.kind === "websocket" && typeof address.url === "string") return redactUrl(address.url);
    return formatUnchecked(address);
  } catch {
    return JSON.stringify(address);
  }
}

function formatUnchecked(address: Address): string {
  switch (address.kind) {
    case "unix":
      return address.mode === undefined
        ? `unix:${address.path}`
        : `unix:${address.path};mode=${address.mode.toString(8).padStart(4, "0")}`;
    case "abstract":
      return `unix:@${address.name}`;
    case "tcp":
      return address.host.includes(":")
        ? `tcp:[${address.host}]:${address.port}`
        : `tcp:${address.host}:${address.port}`;
    case "exec":
      return [`exec:${address.command}`, ...address.args].join(" ");
    case "bridge":
      return [`bridge:${address.command}`, ...address.args].join(" ");
    case "ssh-unix":
      return `ssh-unix:${address.host}:${address.path}`;
    case "ssh-exec":
      return `ssh-exec:${address.host}:${joinCommandLine([address.command, ...address.args])}`;
    case "websocket":
      return address.url;
    default:
      throw new TypeError(
        `unknown address kind ${JSON.stringify((address as { kind: unknown }).kind)}`,
      );
  }
}

function sameAddress(a: Address, b: Address): boolean {
  switch (a.kind) {
    case "unix":
      return b.kind === "unix" && a.path === b.path && a.mode === b.mode;
    case "abstract":
      return b.kind === "abstract" && a.name === b.name;
    case "tcp":
      return b.kind === "tcp" && a.host === b.host && a.port === b.port;
    case "exec":
    case "bridge":
      return b.kind === a.kind && a.command === b.command && sameWords(a.args, b.args);
    case "ssh-unix":
      return b.kind === "ssh-unix" && a.host === b.host && a.path === b.path;
    case "ssh-exec":
      return (
        b.kind === "ssh-exec" &&
        a.host === b.host &&
        a.command === b.command &&
        sameWords(a.args, b.args)
      );
    case "websocket":
      return b.kind === "websocket" && a.url === b.url;
  }
}

function sameWords(a: readonly string[], b: unknown): boolean {
  return Array.isArray(b) && a.length === b.length && a.every((word, index) => word === b[index]);
}

function checkCommand(
  text: string,
  address: ExecAddress | BridgeAddress | SshExecAddress,
): void {
  if (typeof address.command !== "string" || address.command === "") {
    throw new TypeError(`invalid ${address.kind} address ${text}: the command is empty`);
  }
  if (!Array.isArray(address.args) || !address.args.every((arg) => typeof arg === "string")) {
    throw new TypeError(
      `invalid ${address.kind} address ${text}: args must be an array of strings`,
    );
  }
}

/**
 * Turns what callers pass (a string or an object) into a checked address object.
 *
 * @throws TypeError for a bad string or an object that is not a valid address.
 */
export function toAddress(address: string | Address): Address {
  if (typeof address === "string") return parseAddress(address);
  if (typeof address !== "object" || address === null) {
    throw new TypeError(
      `a varlink address must be a string or an address object, got ${String(address)}`,
    );
  }
  if (address.kind === "bridge" || address.kind === "exec") {
    // Objects may carry arguments with spaces that the string form cannot: check them directly.
    checkCommand(describeAddress(address), address);
    return address;
  }
  // Unlike exec:, every ssh-exec command line has a string form (words are quoted), so once its
  // types are checked, writing it checks the rest.
  if (address.kind === "ssh-exec") checkCommand(describeAddress(address), address);
  formatAddress(address);
  return address;
}
