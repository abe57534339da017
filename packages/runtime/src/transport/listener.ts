/**
 * A listening server as the runtime hands it out: its address and a way to stop it.
 */
import type { Server } from "node:net";
import { lstat, unlink } from "node:fs/promises";

/** A server socket accepting connections. */
export interface Listener {
  /**
   * Where clients connect, in string form: the real port for `tcp:` with port 0; a unix path
   * without its `;mode=`; for an inherited socket, its `--varlink=` argument or `fd:3`.
   */
  readonly address: string;
  /**
   * Stops accepting connections; for a unix socket this listener created, removes the socket
   * file. Connections already accepted stay open: closing them is up to whoever serves them.
   * Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/** The socket file a listener created, identified so that a newer file of the same name is kept. */
export interface SocketFile {
  path: string;
  dev: number;
  ino: number;
}

/** A Listener over a `net.Server`. */
export class ServerListener implements Listener {
  readonly address: string;
  private readonly server: Server;
  private readonly socketFile: SocketFile | undefined;
  private closing: Promise<void> | undefined;

  constructor(address: string, server: Server, socketFile?: SocketFile) {
    this.address = address;
    this.server = server;
    this.socketFile = socketFile;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    // Server.close's callback waits for every accepted connection to end; the handle itself
    // stops accepting at once, which is all this promises.
    this.server.close();
    const file = this.socketFile;
    if (file === undefined) return;
    // Node normally unlinks the file itself on close; this covers the cases where it does not.
    try {
      const info = await lstat(file.path);
      if (info.dev === file.dev && info.ino === file.ino) await unlink(file.path);
    } catch {
      // Already gone.
    }
  }
}
