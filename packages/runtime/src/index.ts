/**
 * The varlink protocol for Node.js: IDL, connections, client, server and errors.
 *
 * @packageDocumentation
 */
export * from "./errors.js";
export type * from "./types.js";
export * from "./idl/index.js";
// Framing is public for tools that relay raw messages (proxies, bridges) without a client.
export { DEFAULT_MAX_MESSAGE_SIZE, MessageReader, decodeMessage, encodeMessage } from "./protocol/framing.js";
export * from "./transport/index.js";
export * from "./client/index.js";
export * from "./server/index.js";
export * from "./validate/index.js";
