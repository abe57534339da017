/**
 * Transports: varlink addresses, opening streams to them, listening on them, socket activation,
 * in-memory connections, and the resolver that finds the address of an interface.
 *
 * @packageDocumentation
 */
export { parseAddress, formatAddress } from "./address.js";
export type {
  Address,
  UnixAddress,
  AbstractAddress,
  TcpAddress,
  ExecAddress,
  BridgeAddress,
  SshUnixAddress,
  SshExecAddress,
} from "./address.js";
export { openStream } from "./open-stream.js";
export { listen } from "./listen.js";
export { listenFromEnvironment } from "./activation.js";
export type { Listener } from "./listener.js";
export { duplexPair } from "./memory.js";
export { connectInterface, DEFAULT_RESOLVER, resolve } from "../client/resolver.js";
export type { ConnectInterfaceOptions, ResolveOptions } from "../client/resolver.js";
export { activate } from "./activator.js";
export type { ActivateOptions, Activator } from "./activator.js";
