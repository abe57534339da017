/**
 * The global options that say how to reach a service, as in libvarlink's `varlink`:
 * `--bridge CMD`, `--activate CMD` and `--resolver ADDRESS`, and the address they stand for.
 */
import type { Address } from "@varlink-ts/runtime";
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
}

/** Adds `--bridge`, `--activate` and `--resolver` to the program. */
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
  /** What the user wrote: the address, or the --bridge / --activate command. */
  readonly label: string;
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
 * @throws CommandFailure (exit 2) when an ADDRESS is combined with --bridge or --activate, or is invalid.
 */
export function fixedEndpoint(globals: GlobalOptions, address: string | undefined): Endpoint | undefined {
  const via = globals.bridge !== undefined ? "--bridge" : globals.activate !== undefined ? "--activate" : undefined;
  if (address !== undefined && via !== undefined) {
    throw usageError(`the address ${address} cannot be combined with ${via}`);
  }
  if (address !== undefined) return { address: parseAddressArgument(address), label: address };
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
