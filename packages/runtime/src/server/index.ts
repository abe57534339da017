/**
 * The varlink server: a service with `org.varlink.service` built in.
 *
 * @packageDocumentation
 */
export {
  VarlinkService,
  DEFAULT_CLOSE_GRACE,
  DEFAULT_MAX_QUEUED_OUTPUT,
  DEFAULT_MESSAGE_TIMEOUT,
  DEFAULT_WRITE_TIMEOUT,
} from "./service.js";
export { INTERNAL_ERROR } from "./dispatcher.js";
export { SERVICE_INTERFACE_NAME, SERVICE_INTERFACE_SOURCE } from "./service-interface.js";
export type {
  CallContext,
  CloseOptions,
  InterfaceHandlers,
  MethodHandler,
  ServiceInfo,
  ServiceLogger,
  ServiceOptions,
} from "./types.js";
