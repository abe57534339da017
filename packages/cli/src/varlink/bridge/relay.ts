/**
 * `varlink bridge --connect ADDRESS`: one connection to one service, opened once, and the bytes
 * of both directions relayed untouched (as Python's `varlink bridge --connect` does).
 *
 * Why bytes and not messages: every message goes to the one service anyway, so there is nothing
 * to route. Relaying bytes keeps everything the client and the service say exactly as said —
 * `org.varlink.service` calls (GetInfo reports the service, not the bridge), `more` streams,
 * `oneway` calls, pipelined calls, unknown keys and an `upgrade` with the raw protocol after it —
 * with no size limit or parsing of the bridge's own in between.
 */
import type { Duplex } from "node:stream";
import { ConnectionError } from "@varlink-ts/runtime";
import { openStream } from "@varlink-ts/runtime/transport";
import { EXIT_CONNECTION, EXIT_OK } from "../exit-codes.js";

/** What a relay needs besides its two streams. */
export interface RelayOptions {
  /** The service's address, as the user gave it: `exec:` and bridge addresses included. */
  readonly address: string;
  /** Where problems are told (stderr, which `ssh` shows the user). */
  readonly log: (message: string) => void;
}

type Input = NodeJS.ReadableStream & { destroy?(): void };

/**
 * Connects to the service and relays until the service closes the connection. When the client
 * ends its side first, the service's side is ended too, and what the service still sends (the
 * replies to calls already made) is relayed before the bridge exits.
 *
 * @returns 0 when the service closed the connection cleanly; 3 when it could not be reached
 *   (nothing is written to `output` then, so the client sees the connection close), or when a
 *   stream failed on the way (the service's connection, or the client's side of the bridge).
 */
export async function relay(input: Input, output: NodeJS.WritableStream, options: RelayOptions): Promise<number> {
  let service: Duplex;
  try {
    service = await openStream(options.address);
  } catch (error) {
    if (!(error instanceof ConnectionError || error instanceof TypeError)) throw error;
    // The error names the address already.
    options.log(error.message);
    return EXIT_CONNECTION;
  }
  return new Promise((resolve) => {
    let failure: string | undefined;
    const fail = (where: string) => (error: Error) => {
      failure ??= `${where}: ${error.message}`;
      service.destroy();
    };
    service.on("error", fail(`the connection to ${options.address} failed`));
    input.on("error", fail("reading the client failed"));
    // Write failures (the client went away) end the relay: nobody is left to take the replies.
    output.on("error", fail("writing to the client failed"));
    service.once("close", () => {
      input.unpipe(service);
      // The client may keep its side open; the process must not wait for it.
      input.destroy?.();
      if (failure !== undefined) options.log(failure);
      resolve(failure === undefined ? EXIT_OK : EXIT_CONNECTION);
    });
    // The client's end of input ends the service's side (a half close): its replies still come.
    input.pipe(service);
    // Output is not ended with the service: process.stdout must stay open for the exit.
    service.pipe(output, { end: false });
  });
}
