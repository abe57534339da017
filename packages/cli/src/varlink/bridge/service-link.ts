/**
 * The bridge's connection to one service: raw messages out, raw replies back.
 */
import type { Duplex } from "node:stream";
import { openStream } from "@varlink-ts/runtime/transport";
import { MessageSource, send } from "./message-source.js";


/** How long closing waits for a service to close its side before the link is destroyed. */
const CLOSE_GRACE_MS = 5000;

/** A connection to a service that carries the calls the bridge forwards to it. */
export class ServiceLink {
  /** The address, as the resolver gave it. */
  readonly address: string;
  /** The raw connection. */
  readonly stream: Duplex;
  /** The service's replies, in order. */
  readonly replies: MessageSource;

  private constructor(address: string, stream: Duplex) {
    this.address = address;
    this.stream = stream;
    this.replies = new MessageSource(stream);
  }

  /**
   * Connects to `address`.
   * @throws ConnectionError when it cannot; TypeError for an invalid address.
   */
  static async open(address: string): Promise<ServiceLink> {
    return new ServiceLink(address, await openStream(address));
  }

  /** Whether calls can still be sent: the service has not closed the connection. */
  get usable(): boolean {
    return !this.stream.destroyed && !this.replies.finished;
  }

  /** Sends one message's text exactly as received, with its NUL. */
  send(message: string): Promise<void> {
    return send(this.stream, `${message}\0`);
  }

  /** Ends the connection once the service has read what was sent (oneway calls included). */
  close(): Promise<void> {
    if (this.stream.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.stream.destroy(), CLOSE_GRACE_MS);
      this.stream.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.stream.end();
      // Nothing more is read from it, so unread replies must not hold the close up.
      this.replies.release();
      this.stream.resume();
    });
  }
}
