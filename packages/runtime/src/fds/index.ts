/**
 * File-descriptor passing and peer credentials on unix sockets (UAPI.20), through the optional
 * addon `@varlink-ts/native`. Turn it on with `connect(address, { fds: true })` or
 * `new VarlinkService(info, { fds: true })`; attach descriptors to the parameters of a call or
 * a reply with {@link withFds}, take the ones that came with a message with {@link takeFds}.
 *
 * @packageDocumentation
 */
export { closeFds, takeFds, withFds } from "./attached.js";
export { FdPassingUnavailableError } from "./native.js";
export { peerCredentials, type PeerCredentials } from "./credentials.js";
export { openFdStream } from "./connect.js";
