/**
 * The exit codes of `varlink`, one meaning each, so that scripts can tell "the service said no"
 * from "the service was never asked" from "the service could not be reached".
 */

/** Success. */
export const EXIT_OK = 0;
/**
 * The work failed: an invalid interface file (validate, format), or an error reply from the
 * service to the request the command exists for (call, info, introspect, resolve).
 */
export const EXIT_FAILED = 1;
/**
 * Nothing was sent: the command line does not parse, an address or the JSON parameters are
 * invalid, or the call does not fit the service's interface (unknown interface or method,
 * parameters of the wrong shape).
 */
export const EXIT_USAGE = 2;
/**
 * The service could not be reached or the connection failed: refused, no such socket, the
 * activated or bridge command could not start, the peer closed early or broke the protocol.
 */
export const EXIT_CONNECTION = 3;
