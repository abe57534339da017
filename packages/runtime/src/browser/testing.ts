/**
 * `@varlink-ts/runtime/testing` in browsers. A mock serves its interface from a real
 * `VarlinkService`, which needs Node's sockets and streams; generated modules import
 * `createMock` all the same, so here it exists and says so when called.
 *
 * @packageDocumentation
 */
import type { createMock as nodeCreateMock } from "../testing/mock.js";
export type { Mock, MockOptions, RecordedCall } from "../testing/mock.js";

/**
 * In Node, serves an interface from handlers and returns a client connected to it. In a browser
 * it cannot: a mock is a `VarlinkService`, which needs Node.
 * @throws Error always, in a browser.
 */
export const createMock: typeof nodeCreateMock = () => {
  throw new Error(
    "createMock runs in Node.js only: a mock is a VarlinkService, which needs Node's sockets; test browser code against a service through an HTTP bridge instead",
  );
};
