/**
 * `org.varlink.service`, the interface every varlink service answers: its IDL text, exactly as
 * the standard ships it, and the handlers that describe this service.
 */
import { InvalidParameterError } from "../errors.js";
import type { InterfaceDefinition } from "../idl/model.js";
import type { MethodHandler, ServiceInfo } from "./types.js";

/** The name of the built-in service interface. */
export const SERVICE_INTERFACE_NAME = "org.varlink.service";

/** The IDL of `org.varlink.service` with all seven standard errors (UAPI.20). */
export const SERVICE_INTERFACE_SOURCE = `# The Varlink Service Interface should be provided by every varlink service.
# It describes the service and the interfaces it implements.
interface org.varlink.service

# Get a list of all the interfaces a service provides and information
# about the implementation.
method GetInfo() -> (
  vendor: string,
  product: string,
  version: string,
  url: string,
  interfaces: []string
)

# Get the description of an interface that is implemented by this service.
method GetInterfaceDescription(interface: string) -> (description: string)

# The requested interface was not found.
error InterfaceNotFound (interface: string)

# The requested method was not found
error MethodNotFound (method: string)

# The interface defines the requested method, but the service does not
# implement it.
error MethodNotImplemented (method: string)

# One of the passed parameters is invalid.
error InvalidParameter (parameter: string)

# Client is denied access
error PermissionDenied ()

# Method is expected to be called with 'more' set to true, but wasn't
error ExpectedMore ()

# Method is expected to be called with 'upgrade' set to true, but wasn't
error ExpectedUpgrade ()
`;

/** What the built-in handlers read from the service they describe. */
export interface ServiceDescription {
  readonly info: ServiceInfo;
  /** Every interface in registration order, `org.varlink.service` first. */
  interfaces(): Iterable<InterfaceDefinition>;
  lookup(name: string): InterfaceDefinition | undefined;
}

/** GetInfo and GetInterfaceDescription for `service`. */
export function serviceInterfaceHandlers(service: ServiceDescription): {
  GetInfo: MethodHandler<object, object>;
  GetInterfaceDescription: MethodHandler<{ interface: string }, { description: string }>;
} {
  return {
    GetInfo: () => ({
      vendor: service.info.vendor,
      product: service.info.product,
      version: service.info.version,
      url: service.info.url,
      interfaces: Array.from(service.interfaces(), (definition) => definition.name),
    }),
    // Unknown names answer InvalidParameter("interface"), as the strict Go and Rust servers do.
    GetInterfaceDescription: (parameters) => {
      const definition = service.lookup(parameters.interface);
      if (definition === undefined) throw new InvalidParameterError({ parameter: "interface" });
      return { description: definition.source };
    },
  };
}
