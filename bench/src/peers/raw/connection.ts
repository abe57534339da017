/**
 * The raw baseline's client side: write a call, take replies in order. Replies are handed to
 * callbacks in a plain array, with no promises, as the fastest hand-written client would.
 */
import { connect, type Socket } from "node:net";
import { onMessages } from "./framing.js";

/** A reply as parsed, unchecked. */
export interface RawReply {
  parameters?: Record<string, unknown>;
  continues?: boolean;
  error?: string;
}

export class RawConnection {
  /** Calls waiting for replies, oldest at `head`; answered entries are cleared. */
  private readonly waiting: (((reply: RawReply) => void) | undefined)[] = [];
  private head = 0;
  /** Calls made while a read is handled go out together once it is done, in one write. */
  private batch: string[] | undefined;

  private constructor(private readonly socket: Socket) {
    onMessages(socket, this.onMessage, this.onChunkDone);
  }

  private readonly onMessage = (text: string): void => {
    this.batch ??= [];
    const reply = JSON.parse(text) as RawReply;
    const callback = this.waiting[this.head];
    if (callback === undefined) throw new Error("reply without a call");
    if (reply.continues !== true) {
      this.waiting[this.head++] = undefined;
      // Drop answered entries now and then, so that a long pipelined run does not grow the array.
      if (this.head === this.waiting.length || this.head > 1024) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
    }
    callback(reply);
  };

  private readonly onChunkDone = (): void => {
    if (this.batch === undefined) return;
    if (this.batch.length > 0) this.socket.write(this.batch.join(""));
    this.batch = undefined;
  };

  static open(address: string): Promise<RawConnection> {
    const path = address.slice("unix:".length);
    return new Promise((resolve, reject) => {
      const socket = connect(path, () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  /** Writes a call; `onReply` gets each reply (several for `more`). */
  send(method: string, parameters: object, onReply: (reply: RawReply) => void, more = false): void {
    this.waiting.push(onReply);
    const call = more ? { method, parameters, more: true } : { method, parameters };
    const text = `${JSON.stringify(call)}\0`;
    if (this.batch !== undefined) this.batch.push(text);
    else this.socket.write(text);
  }

  close(): void {
    this.socket.destroy();
  }
}
