/**
 * The varlink protocol for Node.js: IDL, connections, client, server and errors.
 *
 * @packageDocumentation
 */
export * from "./errors.js";
export type * from "./types.js";
export * from "./idl/index.js";
