/**
 * The wire: framing and message codecs for tools that relay raw messages (proxies, bridges)
 * without a client, the protocol's constants, and the default limits of clients and services.
 *
 * @packageDocumentation
 */
export {
  DEFAULT_MAX_MESSAGE_SIZE,
  MessageReader,
  decodeMessage,
  encodeMessage,
} from "../protocol/framing.js";
export type { CallMessage, ReplyMessage } from "../types.js";
export {
  errorFromReply,
  STANDARD_ERROR_CLASSES,
  type ConnectionErrorCode,
  type ErrorClasses,
  type ErrorParameters,
  type VarlinkErrorClass,
} from "../errors.js";
export type { ConnectionOptions } from "../client/connection.js";
export { MORE_BUFFER_BYTES, MORE_BUFFER_LIMIT } from "../client/more-replies.js";
export {
  CALL_SHAPE,
  MAX_MESSAGE_DEPTH,
  MAX_MESSAGE_ELEMENTS,
  REPLY_SHAPE,
  type MessageShape,
} from "../protocol/message-shape.js";
export { MemoryBudget, defaultMemoryLimit, processMemoryBudget } from "../memory-budget.js";
export {
  DEFAULT_CLOSE_GRACE,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_QUEUED_OUTPUT,
  DEFAULT_MESSAGE_TIMEOUT,
  DEFAULT_WRITE_TIMEOUT,
} from "../server/service.js";
export { INTERNAL_ERROR } from "../server/dispatcher.js";
export { SERVICE_INTERFACE_NAME, SERVICE_INTERFACE_SOURCE } from "../server/service-interface.js";
export type { InterfaceHandlers, MethodHandler, ServiceLogger } from "../server/types.js";
