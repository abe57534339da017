/**
 * The service side of socket activation: serving the listening socket(s) a supervisor (systemd,
 * or a client opening an `exec:` address or calling `activate()`) passed from fd 3 on.
 */
import { createServer } from "node:net";
import type { Server } from "node:net";
import type { Duplex } from "node:stream";
import { ConnectionError } from "../errors.js";
import { ServerListener } from "./listener.js";
import type { Listener } from "./listener.js";

/** The first descriptor of socket activation (`SD_LISTEN_FDS_START`). */
const LISTEN_FDS_START = 3;

/** The name that marks the varlink socket in `LISTEN_FDNAMES` (UAPI.20). */
const VARLINK_NAME = "varlink";

/**
 * Serves the socket(s) this process was started with, when it was socket-activated: `LISTEN_FDS`
 * is 1 or more and `LISTEN_PID` is this process's pid. Which descriptors are served:
 *
 * - every one named `varlink` in `LISTEN_FDNAMES` (the UAPI.20 rule), when any is;
 * - else, when only one socket was passed, fd 3 whatever its name: systemd names a socket after
 *   its unit (`foo.socket`) unless told otherwise, and older activators pass no names;
 * - else, when `LISTEN_FDNAMES` is absent, fd 3 only: nothing says which socket is the varlink
 *   one, and answering another protocol's clients with varlink would be worse than leaving the
 *   rest alone;
 * - else (several named sockets, none `varlink`) nothing: it throws.
 *
 * `LISTEN_PIDFDID` (systemd's pidfd inode id of the target process) is not checked: Node.js
 * cannot open a pidfd for its own process, so there is no id to compare with, and only
 * `LISTEN_PID` decides. (systemd's own `sd_listen_fds` likewise skips that check where pidfds
 * are unsupported.)
 *
 * Removes `LISTEN_FDS`, `LISTEN_PID`, `LISTEN_FDNAMES` and `LISTEN_PIDFDID` from `process.env`
 * then, so that children do not take the sockets for theirs. The listener's address is the value
 * of a `--varlink=ADDRESS` argument in `process.argv` if there is one, else `fd:N` of the first
 * socket served. Closing it stops all of them and does not remove any socket file: the
 * supervisor owns them.
 *
 * @returns the listener, or undefined when the process was not socket-activated.
 * @throws ConnectionError `io` when a descriptor to serve is not a listening socket, when
 *   `LISTEN_FDNAMES` does not name as many sockets as `LISTEN_FDS` passes, or when several
 *   sockets were passed and none is named `varlink`.
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
  const names = process.env["LISTEN_FDNAMES"];
  delete process.env["LISTEN_FDS"];
  delete process.env["LISTEN_PID"];
  delete process.env["LISTEN_FDNAMES"];
  delete process.env["LISTEN_PIDFDID"];
  const descriptors = varlinkDescriptors(Number(fds), names);
  const servers: Server[] = [];
  for (const fd of descriptors) {
    const server = createServer(onConnection);
    // Listening on a descriptor happens synchronously; a failure is only emitted later, so it is
    // detected through `listening` and reported here instead.
    server.on("error", () => undefined);
    server.listen({ fd });
    if (!server.listening) {
      for (const opened of [server, ...servers]) opened.close();
      throw new ConnectionError(
        "io",
        `cannot serve the socket passed by socket activation: fd ${fd} is not a listening socket`,
      );
    }
    servers.push(server);
  }
  const address = activatedAddress(descriptors[0] as number);
  const listeners = servers.map((server) => new ServerListener(address, server));
  if (listeners.length === 1) return listeners[0];
  let closing: Promise<void> | undefined;
  return {
    address,
    close: () =>
      (closing ??= Promise.all(listeners.map((one) => one.close())).then(() => undefined)),
  };
}

/** The descriptors to serve, by the rules listed on listenFromEnvironment. */
function varlinkDescriptors(count: number, names: string | undefined): number[] {
  if (names === undefined) return [LISTEN_FDS_START];
  const list = names.split(":");
  if (list.length !== count) {
    throw new ConnectionError(
      "io",
      `cannot serve the socket passed by socket activation: LISTEN_FDNAMES names ${list.length} sockets but LISTEN_FDS is ${count}`,
    );
  }
  const named = list.flatMap((name, index) =>
    name === VARLINK_NAME ? [LISTEN_FDS_START + index] : [],
  );
  if (named.length > 0) return named;
  if (count === 1) return [LISTEN_FDS_START];
  throw new ConnectionError(
    "io",
    `cannot serve the socket passed by socket activation: none of its ${count} sockets (${list.join(", ")}) is named "varlink"`,
  );
}

function activatedAddress(fd: number): string {
  const prefix = "--varlink=";
  const argument = process.argv.find((arg) => arg.startsWith(prefix));
  return argument === undefined ? `fd:${fd}` : argument.slice(prefix.length);
}
