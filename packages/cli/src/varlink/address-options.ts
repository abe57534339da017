/**
 * The global options that say how to reach a service, as in libvarlink's `varlink`:
 * `--bridge CMD`, `--activate CMD` and `--resolver ADDRESS`, and the address they stand for; and
 * for a service behind an HTTP bridge (`ws://`, `wss://`, `http://`, `https://`), what the
 * WebSocket handshake takes: `--tls-ca`, `--tls-cert`, `--tls-key` and `--bearer-token-file`.
 */
import { readFileSync } from "node:fs";
import type { Address, ConnectOptions } from "@varlink-ts/runtime";
import { DEFAULT_RESOLVER, parseAddress } from "@varlink-ts/runtime/transport";
import { Option, type Command } from "commander";
import { usageError } from "./failures.js";

/** The global options as commander parses them. */
export interface GlobalOptions {
  /** A command whose stdin and stdout carry the connection. */
  readonly bridge?: string;
  /** A command to start with socket activation. */
  readonly activate?: string;
  /** Where to look up services by interface name. */
  readonly resolver: string;
  /** PEM file of the CA that signed a `wss://` bridge's certificate. */
  readonly tlsCa?: string;
  /** PEM file of the client certificate for a bridge with mutual TLS. */
  readonly tlsCert?: string;
  /** PEM file of the client certificate's private key. */
  readonly tlsKey?: string;
  /** File holding the bearer token a bridge wants. */
  readonly bearerTokenFile?: string;
}

/** What `openStream` is given for a WebSocket address. */
export type WebSocketOptions = Pick<ConnectOptions, "tls" | "headers">;

/** Adds `--bridge`, `--activate`, `--resolver` and the WebSocket options to the program. */
export function addGlobalOptions(program: Command): void {
  program
    .addOption(
      new Option(
        "-b, --bridge <command>",
        "talk through the stdin and stdout of COMMAND (run by /bin/sh), e.g. 'ssh host varlink bridge'",
      ).conflicts("activate"),
    )
    .addOption(
      new Option(
        "-A, --activate <command>",
        "start COMMAND (run by /bin/sh) with socket activation and talk to it",
      ),
    )
    .addOption(
      new Option("-R, --resolver <address>", "address of the varlink resolver").default(
        DEFAULT_RESOLVER,
      ),
    )
    .addOption(
      new Option(
        "--tls-ca <file>",
        "for a wss:// or https:// ADDRESS, trust the CA certificates in FILE (PEM) instead of the system's",
      ),
    )
    .addOption(
      new Option(
        "--tls-cert <file>",
        "for a wss:// or https:// ADDRESS, present the client certificate in FILE (PEM; mutual TLS, needs --tls-key)",
      ),
    )
    .addOption(new Option("--tls-key <file>", "the PEM private key of --tls-cert"))
    .addOption(
      new Option(
        "--bearer-token-file <file>",
        "for a ws://, wss://, http:// or https:// ADDRESS, send the token in FILE as 'Authorization: Bearer TOKEN'",
      ),
    );
}

/** The global options in effect for `command`, wherever on the command line they were given. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/**
 * An address from the command line, checked before anything is started.
 * @throws CommandFailure (exit 2) naming what is wrong with it.
 */
export function parseAddressArgument(text: string): Address {
  try {
    return parseAddress(text);
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * `--activate` runs its command through the shell so that it may carry arguments and quotes. The
 * shell `exec`s it, so the service keeps the pid that LISTEN_PID names; the `--varlink=ADDRESS`
 * argument the activator appends reaches it as well, and is exported as $VARLINK_ADDRESS as
 * libvarlink and the Rust tool do.
 */
function activationScript(command: string): string {
  return `VARLINK_ADDRESS="\${1#--varlink=}"; export VARLINK_ADDRESS; exec ${command} "$@"`;
}

/** Where a command connects to, and how messages name it. */
export interface Endpoint {
  readonly address: Address;
  /**
   * What the user wrote: the address (a URL's query values `REDACTED`, so that no token is
   * shown), or the --bridge / --activate command.
   */
  readonly label: string;
  /** TLS and headers for a WebSocket address, from the global options. */
  readonly options?: WebSocketOptions;
  /**
   * How the runtime names the address in its errors, when that differs from `label`: the shell
   * wrapper of a --bridge or --activate command, which the user never wrote.
   */
  readonly runtimeLabel?: string;
}

/**
 * The endpoint a command talks to when it does not look services up by interface: the ADDRESS
 * argument, or the `--bridge` or `--activate` command. Undefined when there is none.
 *
 * @throws CommandFailure (exit 2) when an ADDRESS is combined with --bridge or --activate, or is
 *   invalid; when a WebSocket option is given without a WebSocket ADDRESS (TLS ones without a
 *   wss:// or https:// one), or its file cannot be read.
 */
export function fixedEndpoint(globals: GlobalOptions, address: string | undefined): Endpoint | undefined {
  const via = globals.bridge !== undefined ? "--bridge" : globals.activate !== undefined ? "--activate" : undefined;
  if (address !== undefined && via !== undefined) {
    throw usageError(`the address ${shownAddress(address)} cannot be combined with ${via}`);
  }
  const target = address === undefined ? undefined : parseAddressArgument(address);
  const options = webSocketOptions(globals, target);
  if (address !== undefined && target !== undefined) {
    const label = shownAddress(address);
    return options === undefined ? { address: target, label } : { address: target, label, options };
  }
  if (globals.bridge !== undefined) {
    const args = ["-c", globals.bridge];
    return {
      address: { kind: "bridge", command: "/bin/sh", args },
      label: `bridge "${globals.bridge}"`,
      runtimeLabel: ["bridge:/bin/sh", ...args].join(" "),
    };
  }
  if (globals.activate !== undefined) {
    const args = ["-c", activationScript(globals.activate), "sh"];
    return {
      address: { kind: "exec", command: "/bin/sh", args },
      label: `activated "${globals.activate}"`,
      runtimeLabel: ["exec:/bin/sh", ...args].join(" "),
    };
  }
  return undefined;
}

/** The WebSocket options given, with the flag that gives each. */
const WEBSOCKET_FLAGS = [
  ["tlsCa", "--tls-ca"],
  ["tlsCert", "--tls-cert"],
  ["tlsKey", "--tls-key"],
  ["bearerTokenFile", "--bearer-token-file"],
] as const;

/**
 * The TLS and headers the global options ask for, read from their files; undefined when none is
 * given. They are for a WebSocket `target` only: anywhere else they would be ignored, which
 * someone who gave a certificate or a token would not expect.
 * @throws CommandFailure (exit 2) when they cannot apply to `target` or a file cannot be read.
 */
function webSocketOptions(globals: GlobalOptions, target: Address | undefined): WebSocketOptions | undefined {
  const given = WEBSOCKET_FLAGS.filter(([key]) => globals[key] !== undefined).map(([, flag]) => flag);
  if (given.length === 0) return undefined;
  if (target?.kind !== "websocket") {
    throw usageError(`${given.join(", ")}: only for a ws://, wss://, http:// or https:// ADDRESS`);
  }
  const tlsFlags = given.filter((flag) => flag !== "--bearer-token-file");
  if (tlsFlags.length > 0 && !target.url.startsWith("wss:")) {
    throw usageError(`${tlsFlags.join(", ")}: only for a wss:// or https:// ADDRESS`);
  }
  if ((globals.tlsCert === undefined) !== (globals.tlsKey === undefined)) {
    throw usageError("--tls-cert and --tls-key go together");
  }
  const options: WebSocketOptions = {};
  if (tlsFlags.length > 0) {
    options.tls = {
      ...(globals.tlsCa === undefined ? {} : { ca: readOptionFile("--tls-ca", globals.tlsCa) }),
      ...(globals.tlsCert === undefined ? {} : { cert: readOptionFile("--tls-cert", globals.tlsCert) }),
      ...(globals.tlsKey === undefined ? {} : { key: readOptionFile("--tls-key", globals.tlsKey) }),
    };
  }
  if (globals.bearerTokenFile !== undefined) {
    const token = readOptionFile("--bearer-token-file", globals.bearerTokenFile).toString("utf8").trim();
    // Never shown: the message says what is wrong with it, not what it is.
    if (!/^[\x21-\x7e]+$/.test(token)) {
      throw usageError(`--bearer-token-file ${globals.bearerTokenFile}: expected one token (printable ASCII, no spaces)`);
    }
    options.headers = { Authorization: `Bearer ${token}` };
  }
  return options;
}

/** The bytes of the file an option names. @throws CommandFailure (exit 2) when it cannot be read. */
function readOptionFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (error as Error).message;
    throw usageError(`cannot read ${flag} ${path}: ${reason}`);
  }
}

/**
 * An ADDRESS as messages show it: a URL's query values `REDACTED` (`?access_token=REDACTED`), as
 * in the runtime's own messages, so that no token reaches a terminal or a log.
 */
function shownAddress(address: string): string {
  if (!/^(?:wss?|https?):\/\//i.test(address)) return address;
  return address.replace(/([?&#][^=&#]*)=[^&#]*/g, "$1=REDACTED");
}
