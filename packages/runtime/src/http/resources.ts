/**
 * Everything a bridge has open besides its listening socket, so that `close()` can close it:
 * client sockets (HTTP, TLS, upgraded), WebSockets and connections to services.
 */
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";

/** How long a WebSocket may take to answer the closing handshake before it is cut. */
const WEBSOCKET_CLOSE_GRACE_MS = 1000;

/** The open things of one bridge. */
export class Resources {
  private readonly sockets = new Set<Socket>();
  private readonly websockets = new Set<WebSocket>();
  private readonly streams = new Set<Duplex>();
  private closing = false;

  /** True once the bridge is closing: nothing new should be opened. */
  get closed(): boolean {
    return this.closing;
  }

  /** A client's connection, as the server accepted it. */
  addSocket(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
  }

  /** A WebSocket that is relaying. */
  addWebSocket(websocket: WebSocket): void {
    this.websockets.add(websocket);
    websocket.once("close", () => this.websockets.delete(websocket));
  }

  /** A connection to a service; destroyed at once when the bridge is already closing. */
  addStream(stream: Duplex): void {
    if (this.closing) {
      stream.destroy();
      return;
    }
    this.streams.add(stream);
    stream.once("close", () => this.streams.delete(stream));
  }

  /**
   * Closes everything: WebSockets with the closing handshake (1001, going away), cut after a
   * short grace; then every service connection and client socket.
   */
  async closeAll(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.websockets].map(closeWebSocket));
    for (const stream of this.streams) stream.destroy();
    for (const socket of this.sockets) socket.destroy();
  }
}

function closeWebSocket(websocket: WebSocket): Promise<void> {
  if (websocket.readyState === websocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => websocket.terminate(), WEBSOCKET_CLOSE_GRACE_MS);
    websocket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    websocket.close(1001, "the bridge is closing");
  });
}
