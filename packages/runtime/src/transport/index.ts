/**
 * Transports: varlink addresses, opening connections to them, listening on them, socket
 * activation and in-memory connections.
 */
export { parseAddress, formatAddress } from "./address.js";
export type {
  Address,
  UnixAddress,
  AbstractAddress,
  TcpAddress,
  ExecAddress,
  BridgeAddress,
} from "./address.js";
export { openStream } from "./open-stream.js";
export { listen } from "./listen.js";
export { listenFromEnvironment } from "./activation.js";
export type { Listener } from "./listener.js";
export { duplexPair } from "./memory.js";
