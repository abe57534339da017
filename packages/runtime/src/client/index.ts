/**
 * The varlink client: connections, calls (plain, `more`, `oneway`, `upgrade`), the resolver and
 * the dynamic client that learns an interface from the service itself.
 *
 * @packageDocumentation
 */
export { VarlinkClient } from "./client.js";
export type { ClientOptions, UpgradeResult } from "./client.js";
export { connect } from "./connect.js";
export type { ConnectOptions } from "./connect.js";
export { connectInterface, DEFAULT_RESOLVER, resolve } from "./resolver.js";
export type { ConnectInterfaceOptions, ResolveOptions } from "./resolver.js";
export { getInfo, getInterfaceDescription } from "./service-info.js";
export type { GetInfoReply } from "./service-info.js";
export { dynamicInterface, openInterface } from "./dynamic.js";
export type { DynamicInterface, DynamicMethod } from "./dynamic.js";
export { MORE_BUFFER_LIMIT } from "./more-replies.js";
