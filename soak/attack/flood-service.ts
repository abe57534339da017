/**
 * A malicious service for the client-side attack: to the first call on a connection it answers
 * with the same large `continues` reply, again and again, as fast as the client takes them. It
 * respects the socket's backpressure only so that its own memory stays put: a client that reads
 * without bound still gets all it reads.
 */
import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";

/** The flooding service, listening on a unix socket. */
export class FloodService {
  /** Replies handed to the sockets so far. */
  sent = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  /** Listens at `path`, answering with replies carrying a string of `replyBytes` bytes. */
  static async listen(path: string, replyBytes: number): Promise<FloodService> {
    // One Buffer for every reply: the flood costs this process nothing per reply.
    const reply = Buffer.from(`{"parameters":{"data":"${"f".repeat(replyBytes)}"},"continues":true}\0`);
    const server = createServer();
    const flood = new FloodService(server);
    server.on("connection", (socket) => flood.serve(socket, reply));
    server.listen(path);
    await once(server, "listening");
    return flood;
  }

  /** Closes the server and every connection. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private serve(socket: Socket, reply: Buffer): void {
    this.sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => this.sockets.delete(socket));
    let called = false;
    // Reading on (and dropping what comes) is how this side sees the client leave.
    socket.on("data", (chunk: Buffer) => {
      if (called || !chunk.includes(0)) return;
      called = true;
      void this.flood(socket, reply);
    });
  }

  private async flood(socket: Socket, reply: Buffer): Promise<void> {
    while (!socket.destroyed) {
      this.sent++;
      if (socket.write(reply)) continue;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off("drain", done);
          socket.off("close", done);
          resolve();
        };
        socket.on("drain", done);
        socket.on("close", done);
      });
    }
  }
}
