/**
 * The service side of socket activation: serving the listening socket a supervisor (systemd, or
 * a client opening an `exec:` address) passed as fd 3.
 */
import { createServer } from "node:net";
import type { Duplex } from "node:stream";
import { ConnectionError } from "../errors.js";
import { ServerListener } from "./listener.js";
import type { Listener } from "./listener.js";

/** The first descriptor of socket activation (`SD_LISTEN_FDS_START`). */
const LISTEN_FDS_START = 3;

/**
 * Serves the socket this process was started with, when it was socket-activated: `LISTEN_FDS` is
 * 1 or more and `LISTEN_PID` is this process's pid. Only the first socket (fd 3) is served.
 *
 * Removes `LISTEN_FDS`, `LISTEN_PID` and `LISTEN_FDNAMES` from `process.env` then, so that
 * children do not take the socket for theirs. The listener's address is the value of a
 * `--varlink=ADDRESS` argument in `process.argv` if there is one, else `fd:3`. Closing it does not
 * remove any socket file: the supervisor owns it.
 *
 * @returns the listener, or undefined when the process was not socket-activated.
 * @throws ConnectionError `io` when fd 3 is not a listening socket.
 */
export function listenFromEnvironment(
  onConnection: (stream: Duplex) => void,
): Listener | undefined {
  const fds = process.env["LISTEN_FDS"];
  const pid = process.env["LISTEN_PID"];
  if (
    fds === undefined ||
    !/^[0-9]+$/.test(fds) ||
    Number(fds) < 1 ||
    pid !== String(process.pid)
  ) {
    return undefined;
  }
  delete process.env["LISTEN_FDS"];
  delete process.env["LISTEN_PID"];
  delete process.env["LISTEN_FDNAMES"];
  const server = createServer(onConnection);
  // Listening on a descriptor happens synchronously; a failure is only emitted later, so it is
  // detected through `listening` and reported here instead.
  server.on("error", () => undefined);
  server.listen({ fd: LISTEN_FDS_START });
  if (!server.listening) {
    server.close();
    throw new ConnectionError(
      "io",
      `cannot serve the socket passed by socket activation: fd ${LISTEN_FDS_START} is not a listening socket`,
    );
  }
  return new ServerListener(activatedAddress(), server);
}

function activatedAddress(): string {
  const prefix = "--varlink=";
  const argument = process.argv.find((arg) => arg.startsWith(prefix));
  return argument === undefined ? `fd:${LISTEN_FDS_START}` : argument.slice(prefix.length);
}
