/**
 * The varlink certification program for this project, with the command line of the Go, Rust and
 * Python ones (see options.ts). Exit codes: 0 certified (client) or served (server), 1 a failed
 * step, `all_ok: false` or a server that cannot start, 2 wrong usage.
 */
import { runClient, StepFailure } from "./client/run-client.js";
import { parseCommand, USAGE, UsageError, type Command } from "./options.js";
import { runServer } from "./server/run-server.js";

async function main(args: readonly string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`certification: ${error.message}\n${USAGE}`);
    return 2;
  }
  switch (command.kind) {
    case "help":
      console.log(USAGE);
      return 0;
    case "client":
      return client(command.address);
    case "server":
      return server(command);
  }
}

async function client(address: Parameters<typeof runClient>[0]): Promise<number> {
  try {
    if (await runClient(address, (line) => console.log(line))) return 0;
    console.error("certification: End answered all_ok: false; the server did not certify this client");
    return 1;
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    console.error(`certification: ${error.message}`);
    return 1;
  }
}

async function server(command: Extract<Command, { kind: "server" }>): Promise<number> {
  const started = await runServer({
    address: command.address,
    stdio: command.stdio,
    maxClients: command.maxClients,
    announce: (line) => console.log(line),
  });
  if (started) return 0;
  console.error(`certification: nothing to serve: give --varlink=ADDRESS or --stdio\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Set rather than exit: the server keeps running on its open handles.
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`certification: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
