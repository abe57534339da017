/**
 * The HTTP status of a varlink error reply, as UAPI.20's "Transport: HTTP" maps it. The status
 * is only the broad class: the body carries the error's name and parameters.
 */

const STATUS_BY_ERROR: ReadonlyMap<string, number> = new Map([
  ["org.varlink.service.InvalidParameter", 400],
  ["org.varlink.service.ExpectedMore", 400],
  ["org.varlink.service.ExpectedUpgrade", 400],
  ["org.varlink.service.InterfaceNotFound", 404],
  ["org.varlink.service.MethodNotFound", 404],
  ["org.varlink.service.MethodNotImplemented", 501],
  ["org.varlink.service.PermissionDenied", 403],
]);

/** The status for an error reply named `error`: 500 for every error but the standard ones above. */
export function errorStatus(error: string): number {
  return STATUS_BY_ERROR.get(error) ?? 500;
}
