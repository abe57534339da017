/**
 * A well-behaved slow client: it sends one Ping call in pieces spread over most of the service's
 * `messageTimeout`, and must be answered. The service's clock for a message counts only the time
 * its event loop waited, so a loop blocked by other connections must not make it drop this one.
 */
import { connect } from "node:net";
import { pingCall } from "./messages.js";

/** How the slow sender fared. */
export interface SlowSend {
  readonly answered: boolean;
  /** The reply, or why there was none. */
  readonly detail: string;
  /** From the first piece to the reply, in ms. */
  readonly took: number;
}

/** Sends a Ping call to `path` in `pieces` spread over `duration` ms and waits for its reply. */
export function slowSend(path: string, duration: number, pieces: number): Promise<SlowSend> {
  const message = pingCall("slow");
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(path);
    const timers: NodeJS.Timeout[] = [];
    let received = Buffer.alloc(0);
    const finish = (answered: boolean, detail: string): void => {
      for (const timer of timers) clearTimeout(timer);
      socket.destroy();
      resolve({ answered, detail, took: Date.now() - started });
    };
    const step = Math.ceil(message.length / pieces);
    for (let piece = 0; piece < pieces; piece++) {
      const bytes = message.subarray(piece * step, (piece + 1) * step);
      timers.push(setTimeout(() => socket.write(bytes), (piece * duration) / (pieces - 1)));
    }
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(0);
      if (end === -1) return;
      const text = received.subarray(0, end).toString("utf8");
      let pong: unknown;
      try {
        pong = (JSON.parse(text) as { parameters?: { pong?: unknown } }).parameters?.pong;
      } catch {
        pong = undefined;
      }
      finish(pong === "slow", text);
    });
    socket.on("error", (error) => finish(false, String(error)));
    socket.on("close", () => finish(false, "the service closed the connection"));
    // Long after the message's last piece: the service has either answered or dropped it.
    timers.push(setTimeout(() => finish(false, "no reply"), duration + 60_000));
  });
}
