/**
 * Varlink for TypeScript: connect to services and call them through typed clients, implement
 * services, and the errors both sides see.
 *
 * More lives in subpaths: `@varlink-ts/runtime/idl` (the interface definition language: parser,
 * formatter, model, value checks), `/transport` (addresses, streams, listeners, socket
 * activation, the resolver), `/wire` (framing, message codecs, protocol constants and limits)
 * and `/testing` (mocks and in-memory connections).
 *
 * @packageDocumentation
 */
export { connect, type ConnectOptions } from "./client/connect.js";
export { Connection, type UpgradeResult } from "./client/connection.js";
export { createClient, type Client, type CreateClientOptions } from "./client/create-client.js";
export { interfaceDescriptor, openInterface, type DynamicClient } from "./client/dynamic.js";
export { getInfo, getInterfaceDescription, type GetInfoReply } from "./client/service-info.js";
export {
  defineInterface,
  method,
  type InterfaceDescriptor,
  type MethodDescriptor,
} from "./interface/descriptor.js";
export { VarlinkService } from "./server/service.js";
export type {
  CallContext,
  CloseOptions,
  Handler,
  Handlers,
  ServiceInfo,
  ServiceOptions,
} from "./server/types.js";
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
} from "./errors.js";
export { VarlinkSyntaxError } from "./idl/syntax-error.js";
export type { CallOptions, JsonObject, JsonValue } from "./types.js";
export type { Address } from "./transport/address.js";
