/**
 * The HTTP bridge: varlink services served over HTTP and WebSocket, as UAPI.20's
 * "Transport: HTTP" specifies (`serveHttp`). See docs/http.md.
 *
 * @packageDocumentation
 */
export { serveHttp } from "./bridge.js";
export type { HttpBridge, HttpBridgeOptions, HttpServiceTarget } from "./types.js";
