/**
 * `varlink http-bridge`: serve varlink services over HTTP and WebSocket (UAPI.20, "Transport:
 * HTTP") with the runtime's `serveHttp`: the services named with `--service NAME=ADDRESS`, and
 * with `--resolver` any other the resolver knows. Prints its base URL, then serves until SIGINT
 * or SIGTERM (or the context's signal).
 */
import type { HttpBridge, HttpBridgeOptions } from "@varlink-ts/runtime/http";
import type { Address } from "@varlink-ts/runtime";
import { Option, type Command } from "commander";
import { globalOptions, parseAddressArgument } from "../address-options.js";
import type { CommandContext } from "../context.js";
import { reportProblem } from "../diagnostics.js";
import { EXIT_FAILED } from "../exit-codes.js";
import { CommandFailure, runAction, usageError } from "../failures.js";
import {
  collectHost,
  collectOrigin,
  collectService,
  DEFAULT_LISTEN,
  parseBasePath,
  parseListen,
  readTls,
  readTokens,
  type ListenAddress,
  type ServiceMapping,
} from "../http-bridge-options.js";
import { untilStopped } from "../until-stopped.js";

interface HttpBridgeCommandOptions {
  readonly listen: ListenAddress;
  readonly service?: readonly ServiceMapping[];
  readonly basePath?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly clientCa?: string;
  readonly tokenFile?: string;
  readonly allowOrigin?: readonly string[];
  readonly allowHost?: readonly string[];
}

/** Adds `http-bridge` to the program. */
export function registerHttpBridge(program: Command, context: CommandContext): void {
  program
    .command("http-bridge")
    .description("serve varlink services over HTTP and WebSocket until SIGINT or SIGTERM; prints the base URL")
    .addOption(
      new Option("--listen <host:port>", "where to listen; IPv6 as [::1]:PORT, port 0 picks a free one")
        .default(parseListen(DEFAULT_LISTEN), DEFAULT_LISTEN)
        .argParser(parseListen),
    )
    .addOption(
      new Option(
        "--service <name=address>",
        "serve the service at ADDRESS (any address, exec: included) as NAME; may be repeated",
      ).argParser(collectService),
    )
    .addOption(new Option("--base-path <path>", "where the routes start").default("/").argParser(parseBasePath))
    .addOption(new Option("--cert <file>", "serve HTTPS and WSS with this PEM certificate (needs --key)"))
    .addOption(new Option("--key <file>", "the PEM private key of --cert"))
    .addOption(
      new Option("--client-ca <file>", "require client certificates signed by these PEM CAs (mutual TLS; needs --cert)"),
    )
    .addOption(
      new Option(
        "--token-file <file>",
        "require one of these bearer tokens (one a line, # comments; '-' reads standard input)",
      ),
    )
    .addOption(
      new Option("--allow-origin <origin>", "accept browser requests from ORIGIN (https://host[:port]); may be repeated")
        .argParser(collectOrigin),
    )
    .addOption(
      new Option(
        "--allow-host <host>",
        "on loopback, also answer requests for HOST (a name or address, any port): others get 403 against DNS rebinding; may be repeated",
      ).argParser(collectHost),
    )
    .addHelpText(
      "after",
      "\nServes the services given with --service, and with --resolver ADDRESS (or --resolver= for\n" +
        `the default resolver) every other service the resolver knows. Listens on ${DEFAULT_LISTEN} unless\n` +
        "told, prints its base URL as the one line on stdout, and stops on SIGINT or SIGTERM (exit 0).\n" +
        "  varlink http-bridge --service org.example.more=unix:/run/org.example.more\n" +
        "  curl -d '{\"ping\": \"hi\"}' http://127.0.0.1:1031/call/org.example.more.Ping\n" +
        "Routes: POST call/METHOD, POST call/SERVICE/METHOD, GET services, services/SERVICE,\n" +
        "services/SERVICE/INTERFACE, health, and WebSocket ws/services/SERVICE.",
    )
    .action((options: HttpBridgeCommandOptions, command: Command) =>
      runAction(context, () => run(context, options, command)),
    );
}

async function run(context: CommandContext, options: HttpBridgeCommandOptions, command: Command): Promise<void> {
  const globals = globalOptions(command);
  if (globals.bridge !== undefined || globals.activate !== undefined) {
    throw usageError("http-bridge serves services by name (--service, --resolver); --bridge and --activate do not apply");
  }
  const resolver = resolverOption(command, globals.resolver);
  const services = options.service ?? [];
  if (services.length === 0 && resolver === undefined) {
    throw usageError("nothing to serve: give --service NAME=ADDRESS, or --resolver ADDRESS to serve what a resolver knows");
  }
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw usageError(options.cert === undefined ? "--key needs --cert" : "--cert needs --key");
  }
  if (options.clientCa !== undefined && options.cert === undefined) {
    throw usageError("--client-ca needs --cert and --key: client certificates are asked for over TLS only");
  }
  const stdinReaders = [options.tokenFile, options.cert, options.key, options.clientCa].filter((path) => path === "-");
  if (stdinReaders.length > 1) {
    throw usageError("only one of --token-file, --cert, --key and --client-ca can read standard input ('-')");
  }

  const tokens = options.tokenFile === undefined ? undefined : await readTokens(context, options.tokenFile);
  const tls =
    options.cert === undefined || options.key === undefined
      ? undefined
      : await readTls(context, { cert: options.cert, key: options.key, clientCa: options.clientCa });

  const bridgeOptions: HttpBridgeOptions = {
    host: options.listen.host,
    port: options.listen.port,
    basePath: options.basePath ?? "/",
    services: Object.fromEntries(services.map(({ name, address }) => [name, address])),
    // The runtime warns at start about a bridge others can reach without tokens, certificates or TLS.
    log: (message: string, cause?: unknown) =>
      reportProblem(context, `http-bridge: ${message.replace(/^varlink http bridge: /, "")}${describeCause(cause)}`),
    ...(resolver === undefined ? {} : { resolver }),
    ...(tls === undefined ? {} : { tls }),
    ...(tokens === undefined ? {} : { tokens }),
    ...(options.allowOrigin === undefined ? {} : { allowOrigins: options.allowOrigin }),
    ...(options.allowHost === undefined ? {} : { allowHosts: options.allowHost }),
  };

  // Loaded here, not at the top: only this command needs the HTTP and WebSocket servers.
  const { serveHttp } = await import("@varlink-ts/runtime/http");
  const stop = untilStopped(context.signal);
  let bridge: HttpBridge;
  try {
    bridge = await serveHttp(bridgeOptions);
  } catch (error) {
    stop.cancel();
    throw startFailure(options.listen, error);
  }
  try {
    await writeLine(context.stdout, bridge.url);
    await stop.stopped;
  } finally {
    stop.cancel();
    await bridge.close();
  }
}

/**
 * What `--resolver` asks for: undefined when it was not given (names not given by --service are
 * then not served), `true` for `--resolver=` (the default resolver), else its address.
 */
function resolverOption(command: Command, resolver: string): true | Address | undefined {
  if (command.getOptionValueSourceWithGlobals("resolver") !== "cli") return undefined;
  if (resolver === "") return true;
  return parseAddressArgument(resolver);
}

/** The failure of `serveHttp`, as one line (exit 1). */
function startFailure(listen: ListenAddress, error: unknown): CommandFailure {
  const where = listen.host.includes(":") ? `[${listen.host}]:${listen.port}` : `${listen.host}:${listen.port}`;
  const code = (error as { code?: unknown }).code;
  const reasons: Readonly<Record<string, string>> = {
    EADDRINUSE: "the address is already in use",
    EACCES: "permission denied (ports below 1024 need privileges)",
    EADDRNOTAVAIL: "no interface of this machine has that address",
    ENOTFOUND: "no such host",
    EAI_AGAIN: "the host name cannot be resolved now",
  };
  const reason =
    typeof code === "string" && reasons[code] !== undefined
      ? reasons[code]
      : error instanceof Error
        ? error.message
        : String(error);
  return new CommandFailure(EXIT_FAILED, `cannot listen on ${where}: ${reason}`, { cause: error });
}

/** `: reason` for a log line's cause, when it has one. */
function describeCause(cause: unknown): string {
  if (cause === undefined) return "";
  return `: ${cause instanceof Error ? cause.message : String(cause)}`;
}

/** Writes one line and waits until it is handed to the system, so a script reading it sees it now. */
function writeLine(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(`${text}\n`, (error) => (error ? reject(error) : resolve()));
  });
}
