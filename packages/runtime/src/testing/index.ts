/**
 * For tests: mocks of an interface served in memory or on an address, and in-memory connections.
 *
 * @packageDocumentation
 */
export { createMock } from "./mock.js";
export type { Mock, MockOptions, RecordedCall } from "./mock.js";
export { duplexPair } from "../transport/memory.js";
