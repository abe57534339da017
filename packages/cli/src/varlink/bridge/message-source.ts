/**
 * Reading whole messages from a byte stream on demand, so that the bridge takes the next call
 * only when it is ready for it and can hand the unread bytes over after an upgrade.
 */
import { MessageReader } from "@varlink-ts/runtime/wire";

/** Messages of one stream, read one at a time. */
export class MessageSource {
  private readonly stream: NodeJS.ReadableStream;
  private readonly frames = new MessageReader();
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(stream: NodeJS.ReadableStream) {
    this.stream = stream;
    stream.on("readable", this.notify);
    stream.on("end", this.onEnd);
    stream.on("close", this.onEnd);
    stream.on("error", this.onError);
  }

  /** True once the stream has ended or failed. */
  get finished(): boolean {
    return this.ended || this.failure !== undefined;
  }

  /**
   * The next message's text without the NUL, or undefined when the stream ends. Bytes of an
   * unfinished message at the end are dropped: a peer that stops mid-message sent no message.
   * @throws the stream's error, or ProtocolError for a message over the size limit or not UTF-8.
   */
  async next(): Promise<string | undefined> {
    for (;;) {
      const message = this.frames.read();
      if (message !== undefined) return message;
      const chunk = this.stream.read();
      if (chunk !== null) {
        this.frames.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
        continue;
      }
      if (this.failure !== undefined) throw this.failure;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Stops reading messages and returns the bytes received after the last one. */
  release(): Uint8Array {
    this.stream.off("readable", this.notify);
    this.stream.off("end", this.onEnd);
    this.stream.off("close", this.onEnd);
    this.stream.off("error", this.onError);
    return this.frames.takeRest();
  }

  private readonly notify = (): void => {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    this.notify();
  };

  private readonly onError = (error: Error): void => {
    this.failure ??= error;
    this.notify();
  };
}

/** Writes `data` and resolves once the stream has taken it, so a slow reader slows the bridge down. */
export function send(stream: NodeJS.WritableStream, data: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(data, (error?: Error | null) => (error === undefined || error === null ? resolve() : reject(error)));
  });
}
