/**
 * The hostile connections: raw sockets that write what an attack sends and never read a reply.
 */
import { connect, type Socket } from "node:net";

/** One hostile connection. */
export interface Attacker {
  readonly socket: Socket;
  /** The service has taken all of the first write (it left this process). */
  firstWritten: boolean;
}

/** The hostile sockets of one attack, all destroyed by {@link Attackers.destroy}. */
export class Attackers {
  private readonly list: Attacker[] = [];

  constructor(private readonly path: string) {}

  /** How many there are. */
  get count(): number {
    return this.list.length;
  }

  /** How many the service (or an error) has closed. */
  get closed(): number {
    return this.list.filter(({ socket }) => socket.destroyed).length;
  }

  /** Opens `count` connections, each writing `writes` one after another. */
  open(count: number, ...writes: Buffer[]): void {
    for (let index = 0; index < count; index++) {
      const socket = connect(this.path);
      const attacker: Attacker = { socket, firstWritten: false };
      // Resets and broken pipes are what a closed attacker looks like.
      socket.on("error", () => undefined);
      writes.forEach((bytes, at) => socket.write(bytes, at === 0 ? () => (attacker.firstWritten = true) : undefined));
      this.list.push(attacker);
    }
  }

  /**
   * Waits until the attack has done all it can: every attacker was closed by the service or had
   * all it sent taken (`upTo: "all"`), or at least its first write (`"first"`: the service stops
   * reading a client that does not take its replies). False if that has not happened in `limit` ms.
   */
  async spent(upTo: "all" | "first", limit: number): Promise<boolean> {
    const done = (): boolean =>
      this.list.every(
        ({ socket, firstWritten }) => socket.destroyed || (upTo === "first" ? firstWritten : socket.writableLength === 0),
      );
    const end = Date.now() + limit;
    while (!done() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
    return done();
  }

  /** Closes every attacker still open. */
  destroy(): void {
    for (const { socket } of this.list.splice(0)) socket.destroy();
  }
}
