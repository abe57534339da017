/**
 * The certification server: listens on an address, on the socket passed by socket activation, or
 * serves one connection on stdin/stdout, until SIGTERM or SIGINT (or, on stdio, until the
 * connection ends).
 */
import { Duplex } from "node:stream";
import { VarlinkService, type ServiceInfo } from "@varlink-ts/runtime";
import { listen, listenFromEnvironment, type Listener } from "@varlink-ts/runtime/transport";
import { register } from "../gen/org.varlink.certification.js";
import { certificationHandlers } from "./handlers.js";
import { DEFAULT_LIMITS, Sessions } from "./sessions.js";

/** What `org.varlink.service.GetInfo` reports. */
const INFO: ServiceInfo = {
  vendor: "varlink-ts",
  product: "org.varlink.certification",
  version: "1",
  url: "https://github.com/varlink/documentation/wiki/Certification",
};

/** How the server runs. */
export interface ServerOptions {
  /** Where to listen when the process was not socket-activated. */
  readonly address: string | undefined;
  /** Serve one connection on stdin/stdout. */
  readonly stdio: boolean;
  /** Client ids kept at most (default 1000). */
  readonly maxClients: number | undefined;
  /** Receives `Listening on ADDRESS` once connections are accepted. */
  readonly announce: (line: string) => void;
}

/**
 * Starts serving and resolves once connections are accepted.
 * @returns false when there is nothing to serve (no address, not activated, not stdio).
 * @throws ConnectionError or TypeError (as a rejection) when the address cannot be listened on.
 */
export async function runServer(options: ServerOptions): Promise<boolean> {
  const sessions = new Sessions({
    ...DEFAULT_LIMITS,
    ...(options.maxClients === undefined ? {} : { maxClients: options.maxClients }),
  });
  const service = new VarlinkService(INFO);
  register(service, certificationHandlers(sessions));
  const listeners: Listener[] = [];
  const serveConnection = (stream: Duplex): void => service.serve(stream);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.allSettled(listeners.map((listener) => listener.close()));
      await service.close({ grace: 1000 });
    })();
    return stopping;
  };
  process.once("SIGTERM", () => void stop());
  process.once("SIGINT", () => void stop());

  if (options.stdio) {
    // Nothing is announced: standard output carries the connection and must hold nothing else.
    const stream = Duplex.from({ readable: process.stdin, writable: process.stdout });
    stream.once("close", () => void stop());
    serveConnection(stream);
    return true;
  }
  const activated = listenFromEnvironment(serveConnection);
  if (activated !== undefined) {
    listeners.push(activated);
    options.announce(`Listening on ${activated.address}`);
    return true;
  }
  if (options.address === undefined) return false;
  const listener = await listen(options.address, serveConnection);
  listeners.push(listener);
  options.announce(`Listening on ${listener.address}`);
  return true;
}
