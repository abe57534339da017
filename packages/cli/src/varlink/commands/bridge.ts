/**
 * `varlink bridge`: serve one varlink connection on stdin and stdout for the services of this
 * machine, so that `ssh host varlink bridge` works as a bridge command for any client; with
 * `--connect ADDRESS`, for that one service only (relay.ts).
 */
import type { Command } from "commander";
import { globalOptions, parseAddressArgument } from "../address-options.js";
import { relay } from "../bridge/relay.js";
import { BridgeSession } from "../bridge/session.js";
import type { CommandContext } from "../context.js";
import { reportProblem } from "../diagnostics.js";
import { runAction, usageError } from "../failures.js";
import { packageVersion } from "../version.js";

/** Adds `bridge` to the program. */
export function registerBridge(program: Command, context: CommandContext): void {
  program
    .command("bridge")
    .description("serve one connection on stdin and stdout, forwarding each call to the service the resolver gives")
    .option("--connect <address>", "relay the connection to the service at ADDRESS instead, bytes unchanged")
    .addHelpText(
      "after",
      "\nAnswers org.varlink.service itself: GetInfo lists what the resolver knows, and\n" +
        "GetInterfaceDescription asks the interface's service. Use it as a bridge command:\n" +
        "  varlink --bridge 'ssh host varlink bridge' call org.example.more.Ping '{\"ping\": \"hi\"}'\n" +
        "With --connect ADDRESS (any address, exec: included) the whole connection goes to that\n" +
        "service, org.varlink.service calls too, and --resolver is not used:\n" +
        "  varlink --bridge 'ssh host varlink bridge --connect unix:/run/org.example.more' info",
    )
    .action((options: { connect?: string }, command: Command) =>
      runAction(context, async () => {
        const globals = globalOptions(command);
        if (globals.bridge !== undefined || globals.activate !== undefined) {
          throw usageError("bridge serves the services the resolver knows; --bridge and --activate do not apply");
        }
        if (options.connect !== undefined) {
          parseAddressArgument(options.connect);
          context.exitCode = await relay(context.stdin, context.stdout, {
            address: options.connect,
            log: (message) => reportProblem(context, `bridge: ${message}`),
          });
          return;
        }
        parseAddressArgument(globals.resolver);
        const session = new BridgeSession(context.stdin, context.stdout, {
          resolver: globals.resolver,
          info: {
            vendor: "varlink-ts",
            product: "varlink bridge",
            version: packageVersion(),
            url: "https://varlink.org",
          },
          log: (message) => reportProblem(context, `bridge: ${message}`),
        });
        context.exitCode = await session.run();
      }),
    );
}
