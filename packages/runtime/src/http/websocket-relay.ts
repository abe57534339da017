/**
 * WebSocket mode: a WebSocket and a connection to a service, relayed both ways.
 *
 * Client to service, the bytes of every frame, binary or text, are written on as they come:
 * frames are pieces of one byte stream, never one message each. They are also read as calls, to
 * follow what the service will answer (call-tracker.ts). Service to client, the bytes are cut at
 * each NUL and every message, its NUL included, goes out as one binary frame. Once an `upgrade`
 * is confirmed the connection is no longer varlink: bytes then pass both ways as they come.
 *
 * Messages are not parsed: only their top-level flags are read from their text (json-members.ts),
 * so a large message costs a scan, not an object graph. Judging a message that is not JSON is
 * left to the peer it is for, except that one that is not even an object ends the relay.
 *
 * Messages are bounded by the bridge's `maxMessageSize` both ways: a larger one closes the
 * WebSocket with 1009 (message too big) and the service connection with it.
 */
import type { Duplex } from "node:stream";
import type { RawData, WebSocket } from "ws";
import { ProtocolError } from "../errors.js";
import { MessageReader } from "../protocol/framing.js";
import { CallTracker, type CallFlags, type ReplyFlags } from "./call-tracker.js";
import { memberTexts } from "./json-members.js";

/** WebSocket close codes the relay sends (RFC 6455 and the IANA registry). */
const CLOSE_NORMAL = 1000;
const CLOSE_INVALID_DATA = 1007;
const CLOSE_TOO_BIG = 1009;
const CLOSE_BAD_GATEWAY = 1014;

/** A client that has not answered a ping for this long is gone: its service connection is closed. */
const HEARTBEAT_MS = 30_000;
/** Bytes queued for the client above which the service is no longer read, and below which it is again. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
/** How long the service may take to close after the client went, before its connection is destroyed. */
const SERVICE_CLOSE_GRACE_MS = 5000;

/** Relays between `websocket` and `service` until either closes; then closes the other. */
export function relayWebSocket(websocket: WebSocket, service: Duplex, maxMessageSize: number): void {
  new WebSocketRelay(websocket, service, maxMessageSize);
}

class WebSocketRelay {
  private readonly websocket: WebSocket;
  private readonly service: Duplex;
  private readonly maxMessageSize: number;
  private readonly tracker = new CallTracker();
  private readonly fromClient: MessageReader;
  private readonly fromService: MessageReader;
  /** After a confirmed upgrade: bytes pass as they come, nothing is read as messages. */
  private raw = false;
  private done = false;
  /** Bytes handed to the WebSocket and not yet written to its socket. */
  private unsent = 0;
  private servicePaused = false;
  private clientPaused = false;
  private answeredPing = true;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(websocket: WebSocket, service: Duplex, maxMessageSize: number) {
    this.websocket = websocket;
    this.service = service;
    this.maxMessageSize = maxMessageSize;
    this.fromClient = new MessageReader(maxMessageSize);
    this.fromService = new MessageReader(maxMessageSize);
    websocket.on("message", this.onClientData);
    websocket.on("close", this.onClientClose);
    // The WebSocket closes itself after an error; "close" follows.
    websocket.on("error", () => undefined);
    websocket.on("pong", () => (this.answeredPing = true));
    service.on("data", this.onServiceData);
    service.on("end", () => this.close(CLOSE_NORMAL, "the service closed the connection"));
    service.on("close", () => this.close(CLOSE_NORMAL, "the service closed the connection"));
    service.on("error", () => this.close(CLOSE_BAD_GATEWAY, "the connection to the service failed"));
    this.heartbeat = setInterval(this.ping, HEARTBEAT_MS);
    this.heartbeat.unref();
    if (service.destroyed) this.close(CLOSE_BAD_GATEWAY, "the connection to the service failed");
  }

  private readonly onClientData = (data: RawData): void => {
    if (this.done) return;
    this.answeredPing = true;
    const chunk = toBuffer(data);
    if (!this.service.write(chunk) && !this.clientPaused) {
      // The service reads slower than the client writes: stop reading the client meanwhile.
      this.clientPaused = true;
      this.websocket.pause();
      this.service.once("drain", () => {
        this.clientPaused = false;
        this.websocket.resume();
      });
    }
    if (this.raw) return;
    this.fromClient.push(chunk);
    this.readCalls();
  };

  /** Reads the client's calls received so far, up to an upgrade call whose answer is not known yet. */
  private readCalls(): void {
    while (!this.raw && !this.done && !this.tracker.upgradePending) {
      let message: CallFlags;
      try {
        const text = this.fromClient.read();
        if (text === undefined) return;
        message = callFlags(text);
      } catch (error) {
        if (isSizeError(error)) this.close(CLOSE_TOO_BIG, "the client sent a message that is too large");
        else this.close(CLOSE_INVALID_DATA, "the client sent a message that is not a JSON object");
        return;
      }
      if (this.tracker.call(message) === "raw") this.goRaw();
    }
    // Bytes after an undecided upgrade are held until its reply says what they are.
    if (!this.raw && this.fromClient.pendingBytes > this.maxMessageSize) {
      this.close(CLOSE_TOO_BIG, "the client sent too much before its upgrade was answered");
    }
  }

  private readonly onServiceData = (chunk: Buffer): void => {
    if (this.done) return;
    if (this.raw) {
      this.sendToClient(chunk);
      return;
    }
    this.fromService.push(chunk);
    this.readReplies();
  };

  /** Sends each whole reply received so far as one frame, and follows what it answers. */
  private readReplies(): void {
    while (!this.raw && !this.done) {
      let text: string | undefined;
      let message: ReplyFlags;
      try {
        text = this.fromService.read();
        if (text === undefined) return;
        message = replyFlags(text);
      } catch (error) {
        if (isSizeError(error)) this.close(CLOSE_TOO_BIG, "the service sent a message that is too large");
        else this.close(CLOSE_BAD_GATEWAY, "the service sent a message that is not a varlink reply");
        return;
      }
      const undecided = this.tracker.upgradePending;
      const outcome = this.tracker.reply(message);
      if (outcome === "unexpected") {
        this.close(CLOSE_BAD_GATEWAY, "the service sent a reply when no call was waiting");
        return;
      }
      this.sendToClient(withNul(text));
      if (outcome === "upgraded") this.goRaw();
      // The upgrade was refused: what the client sent after it are calls, to be read now.
      else if (undecided && !this.tracker.upgradePending) this.readCalls();
    }
  }

  /** From now on bytes pass as they come, both ways. */
  private goRaw(): void {
    this.raw = true;
    // What the service sent after the upgrade reply is the new protocol's first bytes.
    const rest = this.fromService.takeRest();
    if (rest.length > 0) this.sendToClient(Buffer.from(rest.buffer, rest.byteOffset, rest.byteLength));
    // The client's bytes have been written to the service already, as they came.
    this.fromClient.takeRest();
  }

  private sendToClient(bytes: Buffer): void {
    this.unsent += bytes.length;
    this.websocket.send(bytes, { binary: true }, () => {
      this.unsent -= bytes.length;
      if (this.servicePaused && this.unsent <= LOW_WATER) {
        this.servicePaused = false;
        this.service.resume();
      }
    });
    if (!this.servicePaused && this.unsent > HIGH_WATER) {
      // The client reads slower than the service writes: stop reading the service meanwhile.
      this.servicePaused = true;
      this.service.pause();
    }
  }

  private readonly ping = (): void => {
    if (!this.answeredPing) {
      this.websocket.terminate();
      return;
    }
    this.answeredPing = false;
    this.websocket.ping();
  };

  /** The client's side closed: the service connection is ended, and destroyed if it lingers. */
  private readonly onClientClose = (): void => {
    this.stop();
    const service = this.service;
    if (service.destroyed) return;
    const timer = setTimeout(() => service.destroy(), SERVICE_CLOSE_GRACE_MS);
    timer.unref();
    service.once("close", () => clearTimeout(timer));
    // Nobody is left to read what the service still sends.
    service.off("data", this.onServiceData);
    service.resume();
    // Ended rather than destroyed, so that the last calls (a oneway one) are still read.
    service.end();
  };

  /**
   * The service's side ended or failed, or a side broke the protocol: the WebSocket is closed
   * with `code` and the service connection destroyed.
   */
  private close(code: number, reason: string): void {
    if (this.done) return;
    this.stop();
    const websocket = this.websocket;
    // Queued after the frames already sent, so the client gets every reply first.
    if (websocket.readyState === websocket.OPEN) websocket.close(code, reason);
    this.service.destroy();
  }

  private stop(): void {
    this.done = true;
    clearInterval(this.heartbeat);
  }
}

const CALL_KEYS: ReadonlySet<string> = new Set(["oneway", "more", "upgrade"]);
const REPLY_KEYS: ReadonlySet<string> = new Set(["error", "continues"]);

/** A call's flags, read from its text. @throws SyntaxError when it is not a JSON object. */
function callFlags(text: string): CallFlags {
  const members = memberTexts(text, CALL_KEYS);
  return {
    oneway: members.get("oneway") === "true",
    more: members.get("more") === "true",
    upgrade: members.get("upgrade") === "true",
  };
}

/** A reply's flags, read from its text. @throws SyntaxError when it is not a JSON object. */
function replyFlags(text: string): ReplyFlags {
  const members = memberTexts(text, REPLY_KEYS);
  const error = members.get("error");
  // Only a string names an error; `"error": null` is no error, as the client reads it.
  return { error: error?.startsWith('"') === true, continues: members.get("continues") === "true" };
}

/** The bytes of `text` and a NUL, in one buffer: one copy, and no joined string. */
function withNul(text: string): Buffer {
  const length = Buffer.byteLength(text, "utf8");
  const bytes = Buffer.allocUnsafe(length + 1);
  bytes.write(text, 0, "utf8");
  bytes[length] = 0;
  return bytes;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** Whether a reader refused a message for its size (rather than for its bytes). */
function isSizeError(error: unknown): boolean {
  return error instanceof ProtocolError && error.message.includes("maximum size");
}
