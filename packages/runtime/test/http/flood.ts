/**
 * A scripted service that answers a `more` call with more replies than any buffer on the way
 * holds, writing each only when its socket has taken the one before, and counting those the
 * socket took: a bridge that stops reading it while its client does not read makes that count
 * stop, far below the total; one that buffers without bound lets it run to the end.
 */
import type { Socket } from "node:net";
import { scriptedService, type Sandbox } from "@varlink-ts/test-kit";

export const FLOOD = "org.example.flood";

/** How many replies, and the padding of each (about 4 KiB): 64 MiB in all. */
export const FLOOD_REPLIES = 16 * 1024;
const PADDING = "x".repeat(4096);

/** The text of reply `i`, without its NUL. */
export function floodReply(i: number): string {
  return `{"parameters":{"i":${i},"pad":"${PADDING}"}${i < FLOOD_REPLIES - 1 ? ',"continues":true' : ""}}`;
}

/** The parameters of reply `i`, as a JSON text sequence record carries them. */
export function floodParameters(i: number): string {
  return `{"i":${i},"pad":"${PADDING}"}`;
}

/** How far the service got. */
export class FloodProgress {
  /** Replies the socket took (their write callback came). */
  taken = 0;
  /** Replies handed to the socket. */
  written = 0;
  /** Waiting for "drain": the socket holds more than it wants. */
  blocked = false;
}

/**
 * The service: `org.example.flood.Flood` gets {@link FLOOD_REPLIES} replies, anything else a
 * pong. Its progress is that of the last Flood call.
 */
export async function floodService(sandbox: Sandbox): Promise<{ address: string; progress: FloodProgress }> {
  const progress = new FloodProgress();
  const { address } = await scriptedService(sandbox, (text, connection) => {
    if (text.includes(`"${FLOOD}.Flood"`)) pump(connection.socket, progress);
    else connection.socket.write('{"parameters":{"pong":"meanwhile"}}\0');
  });
  return { address, progress };
}

function pump(socket: Socket, progress: FloodProgress): void {
  while (progress.written < FLOOD_REPLIES && !socket.destroyed) {
    const ok = socket.write(`${floodReply(progress.written)}\0`, (error) => {
      if (error === undefined || error === null) progress.taken++;
    });
    progress.written++;
    if (!ok) {
      progress.blocked = true;
      socket.once("drain", () => {
        progress.blocked = false;
        pump(socket, progress);
      });
      return;
    }
  }
}

/**
 * Resolves once the service has written every reply, or once it has been blocked, its socket
 * taking nothing, for 40 looks in a row (one every 5 ms). Only when to look is a matter of
 * time: what the test then asserts is how far the service got, and a bridge that keeps reading
 * never leaves it blocked that long.
 */
export async function floodSettled(progress: FloodProgress): Promise<void> {
  let last = -1;
  let still = 0;
  while (progress.taken < FLOOD_REPLIES) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (progress.blocked && progress.taken === last) {
      still++;
      if (still >= 40) return;
    } else {
      still = 0;
      last = progress.taken;
    }
  }
}
