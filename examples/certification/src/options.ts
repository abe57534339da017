/**
 * The command line of the certification program, shaped like the Go, Rust and Python ones:
 *
 *   certification --varlink=ADDRESS                  serve ADDRESS
 *   certification                                    serve the socket-activated socket (LISTEN_FDS)
 *   certification --stdio                            serve one connection on stdin/stdout
 *   certification --client --varlink=ADDRESS         run the client sequence against ADDRESS
 *   certification --client --bridge=COMMAND          … over COMMAND's stdin/stdout (run by /bin/sh)
 */
import { parseArgs } from "node:util";
import type { BridgeAddress } from "@varlink-ts/runtime/transport";

/** The usage text printed for `--help` and after a usage error. */
export const USAGE = `usage: certification --varlink=ADDRESS [--max-clients=N]
       certification --stdio [--max-clients=N]
       certification --client --varlink=ADDRESS
       certification --client --bridge=COMMAND

ADDRESS is unix:PATH, unix:@NAME, tcp:HOST:PORT (port 0 picks a free one) or, for the client,
exec:PROGRAM. Started with socket activation (LISTEN_FDS), the server serves that socket.
--stdio serves one connection on standard input and output, for a client's --bridge.
--bridge runs COMMAND with /bin/sh -c and speaks varlink over its standard input and output.`;

/** What the command line asks for. */
export type Command =
  | { readonly kind: "client"; readonly address: string | BridgeAddress }
  | {
      readonly kind: "server";
      /** Where to listen; undefined when only socket activation can supply the socket. */
      readonly address: string | undefined;
      /** Serve one connection on stdin/stdout instead of listening. */
      readonly stdio: boolean;
      readonly maxClients: number | undefined;
    }
  | { readonly kind: "help" };

/** A command line that cannot be run; the message says why. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Reads the arguments (without `node` and the script).
 * @throws UsageError for unknown options and combinations that make no sense.
 */
export function parseCommand(args: readonly string[]): Command {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        client: { type: "boolean" },
        varlink: { type: "string" },
        bridge: { type: "string" },
        stdio: { type: "boolean" },
        "max-clients": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return { kind: "help" };

  if (values.client === true) {
    if (values.stdio === true || values["max-clients"] !== undefined) {
      throw new UsageError("--stdio and --max-clients are server options");
    }
    if ((values.varlink === undefined) === (values.bridge === undefined)) {
      throw new UsageError("the client needs exactly one of --varlink=ADDRESS and --bridge=COMMAND");
    }
    if (values.bridge !== undefined) {
      return { kind: "client", address: { kind: "bridge", command: "/bin/sh", args: ["-c", values.bridge] } };
    }
    return { kind: "client", address: values.varlink as string };
  }

  if (values.bridge !== undefined) throw new UsageError("--bridge is a client option (add --client)");
  if (values.stdio === true && values.varlink !== undefined) {
    throw new UsageError("--stdio serves standard input and output; it takes no --varlink");
  }
  return {
    kind: "server",
    address: values.varlink,
    stdio: values.stdio === true,
    maxClients: parseMaxClients(values["max-clients"]),
  };
}

function parseMaxClients(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(text)) {
    throw new UsageError(`--max-clients must be a positive integer, got "${text}"`);
  }
  return Number(text);
}
