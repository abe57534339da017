/**
 * `@varlink-ts/runtime` in browsers (the `browser` export condition): the same client API, typed
 * clients and errors, with `connect` reaching services through an HTTP bridge's WebSocket mode.
 * Serving needs sockets, so `VarlinkService` is a type here only. Nothing reachable from this
 * module imports a `node:` module.
 *
 * @packageDocumentation
 */
export { connect } from "./connect.js";
export type { ConnectOptions } from "../client/connect.js";
export { Connection, type UpgradeResult } from "../client/connection.js";
export { createClient, type Client, type CreateClientOptions } from "../client/create-client.js";
export { interfaceDescriptor, openInterface, type DynamicClient } from "../client/dynamic.js";
export { getInfo, getInterfaceDescription, type GetInfoReply } from "../client/service-info.js";
export {
  defineInterface,
  method,
  type InterfaceDescriptor,
  type MethodDescriptor,
} from "../interface/descriptor.js";
export type { VarlinkService } from "../server/service.js";
export type {
  CallContext,
  CloseOptions,
  Handler,
  Handlers,
  ServiceInfo,
  ServiceOptions,
} from "../server/types.js";
export {
  ConnectionError,
  ExpectedMoreError,
  ExpectedUpgradeError,
  InterfaceNotFoundError,
  InvalidParameterError,
  MethodNotFoundError,
  MethodNotImplementedError,
  PermissionDeniedError,
  ProtocolError,
  ValueError,
  VarlinkError,
} from "../errors.js";
export { VarlinkSyntaxError } from "../idl/syntax-error.js";
export type { CallOptions, JsonObject, JsonValue } from "../types.js";
export type { Address } from "../transport/address.js";
