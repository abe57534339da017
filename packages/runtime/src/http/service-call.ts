/**
 * One exchange with a service over a connection of its own: the call's text goes out as the
 * bridge built it, and each reply comes back with its parameters as the service wrote them.
 *
 * Raw messages rather than the runtime's `Connection`: the bridge passes any error name and any
 * parameters through untouched (see json-members.ts), and reads a reply only when its HTTP client
 * has room for it, so a slow reader slows the service down instead of filling memory.
 */
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { ProtocolError } from "../errors.js";
import { parseReply } from "../protocol/call-message.js";
import { decodeMessage, MessageReader } from "../protocol/framing.js";
import { REPLY_SHAPE } from "../protocol/message-shape.js";
import type { ServiceLogger } from "../server/types.js";
import { gatewayFailure, type HttpFailure } from "./failure.js";
import { memberText } from "./json-members.js";

/** How a call wants to be answered. */
export type CallFlag = "none" | "more" | "oneway";

/**
 * A call's message text, without its NUL. `parametersJson` is checked JSON object text (see
 * request-body.ts), put in as it is so that its numbers keep every digit.
 */
export function callText(method: string, parametersJson: string, flag: CallFlag = "none"): string {
  const call = `{"method":${JSON.stringify(method)},"parameters":${parametersJson}`;
  return flag === "none" ? `${call}}` : `${call},${JSON.stringify(flag)}:true}`;
}

/** One reply, read. */
export interface ServiceReply {
  /** The error's qualified name for an error reply. */
  readonly error: string | undefined;
  readonly continues: boolean;
  /** The parameters' JSON text exactly as the service wrote it; `{}` when it sent none. */
  readonly parameters: string;
}

/** How long a connection ended after a oneway call may take to close before it is destroyed. */
const FINISH_GRACE_MS = 5000;

/** A connection to a service carrying one call. */
export class ServiceExchange {
  /** Who the messages name: "the service org.example.more". */
  private readonly label: string;
  private readonly stream: Duplex;
  private readonly reader: MessageReader;
  private readonly log: ServiceLogger;
  private ended = false;
  /** Closed by the bridge: what fails after that is no news. */
  private closed = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private unbind: (() => void) | undefined;

  /** `log` gets why the connection failed; the client is only told that it did (see failed()). */
  constructor(label: string, stream: Duplex, maxMessageSize: number, log: ServiceLogger) {
    this.label = label;
    this.stream = stream;
    this.log = log;
    this.reader = new MessageReader(maxMessageSize);
    stream.on("readable", this.notify);
    stream.on("end", this.onEnd);
    stream.on("close", this.onEnd);
    stream.on("error", this.onError);
  }

  /**
   * Writes one message and its NUL; resolves once the stream has taken it.
   * @throws HttpFailure (502) when the connection fails first.
   */
  send(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.write(`${text}\0`, (error) => {
        if (error === undefined || error === null) resolve();
        else reject(this.failed(error));
      });
    });
  }

  /**
   * The next reply, read when it is asked for.
   * @throws HttpFailure (502) when the connection ends or fails first, or the service sends
   *   something that is not a reply.
   */
  async next(): Promise<ServiceReply> {
    for (;;) {
      const text = this.readMessage();
      if (text !== undefined) return this.parse(text);
      if (this.failure !== undefined) throw this.failed(this.failure);
      if (this.ended) throw gatewayFailure(`${this.label} closed the connection before its reply`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Ends the connection once the service has taken what was sent (after a oneway call). */
  finish(): void {
    const stream = this.stream;
    if (stream.destroyed) return;
    const timer = setTimeout(() => stream.destroy(), FINISH_GRACE_MS);
    timer.unref();
    stream.once("close", () => clearTimeout(timer));
    // Whatever the service still says is not read: let it flow away so that it can close.
    stream.off("readable", this.notify);
    stream.resume();
    stream.end();
  }

  /** Closes the connection at once (the client went away, or the answer is complete). */
  close(): void {
    this.closed = true;
    this.release();
    this.stream.destroy();
  }

  /**
   * Closes the connection when `response` closes (its client went away, or it was answered),
   * until {@link release}: a client that goes away leaves no connection behind, even one whose
   * service has stopped reading.
   */
  bindTo(response: ServerResponse): void {
    this.release();
    if (response.destroyed) {
      this.close();
      return;
    }
    const onClose = (): void => this.close();
    response.once("close", onClose);
    this.unbind = () => response.off("close", onClose);
  }

  /** Undoes {@link bindTo}: the connection outlives the response (a oneway call's, once written). */
  release(): void {
    const unbind = this.unbind;
    this.unbind = undefined;
    unbind?.();
  }

  /** The 502 for a failed connection. Its reason (which may name the address) is logged, not told. */
  private failed(error: Error): HttpFailure {
    // After close() a write fails for that alone: nobody is waiting for the answer.
    if (!this.closed) this.log(`varlink http bridge: the connection to ${this.label} failed`, error);
    return gatewayFailure(`the connection to ${this.label} failed`, error);
  }

  private readMessage(): string | undefined {
    for (;;) {
      let text: string | undefined;
      try {
        text = this.reader.read();
      } catch (error) {
        this.stream.destroy();
        throw this.invalid(error as Error);
      }
      if (text !== undefined) return text;
      const chunk: unknown = this.stream.read();
      if (chunk === null) return undefined;
      this.reader.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    }
  }

  private parse(text: string): ServiceReply {
    try {
      const message = decodeMessage(text, REPLY_SHAPE);
      const reply = parseReply(message);
      const parameters = message["parameters"] === undefined || message["parameters"] === null ? undefined : memberText(text, "parameters");
      return { error: reply.error, continues: reply.continues, parameters: parameters ?? "{}" };
    } catch (error) {
      this.stream.destroy();
      throw this.invalid(error as Error);
    }
  }

  private invalid(error: Error): HttpFailure {
    const reason = error instanceof ProtocolError ? error.message : `${error.name}: ${error.message}`;
    return gatewayFailure(`${this.label} sent an invalid reply: ${reason}`, error);
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
