/**
 * The URL schema of UAPI.20's "Transport: HTTP", relative to the base path:
 *
 * | method | path | route |
 * |---|---|---|
 * | POST | `call/{method}` | a call; the service is the method's interface, or `?service=` |
 * | POST | `call/{service}/{method}` | a call on a named service |
 * | GET | `services` | the names of the services |
 * | GET | `services/{service}` | the service's `GetInfo` |
 * | GET | `services/{service}/{interface}` | the interface's method names |
 * | GET | `ws/services/{service}` | the WebSocket tunnel to the service |
 * | GET | `health` | 200 while the bridge runs |
 */
import { HttpFailure } from "./failure.js";

/** Where a request goes. */
export type Route =
  | { readonly kind: "health" }
  | { readonly kind: "services" }
  | { readonly kind: "service-info"; readonly service: string }
  | { readonly kind: "interface-methods"; readonly service: string; readonly interfaceName: string }
  | { readonly kind: "call"; readonly service: string | undefined; readonly method: string }
  | { readonly kind: "websocket"; readonly service: string };

/** A route and the HTTP methods it takes. */
export interface RouteMatch {
  readonly route: Route;
  /** What `Allow` says when another method is used. */
  readonly methods: readonly string[];
}

const READ = ["GET", "HEAD"] as const;
const CALL = ["POST"] as const;
const UPGRADE = ["GET"] as const;

/**
 * The route of a request's path (still percent-encoded, as in the request line), or undefined
 * when no route has that path. One trailing slash is ignored (`services/` is `services`).
 * @throws HttpFailure (400) for a path segment that is not valid percent-encoded UTF-8.
 */
export function matchRoute(pathname: string, basePath: string): RouteMatch | undefined {
  if (!pathname.startsWith(basePath)) return undefined;
  let rest = pathname.slice(basePath.length);
  if (rest.endsWith("/")) rest = rest.slice(0, -1);
  const segments = rest.split("/").map(decodeSegment);
  if (segments.some((segment) => segment === "")) return undefined;
  const [first, second, third] = segments;
  switch (segments.length) {
    case 1:
      if (first === "health") return { route: { kind: "health" }, methods: READ };
      if (first === "services") return { route: { kind: "services" }, methods: READ };
      return undefined;
    case 2:
      if (first === "services") return { route: { kind: "service-info", service: second! }, methods: READ };
      if (first === "call") return { route: { kind: "call", service: undefined, method: second! }, methods: CALL };
      return undefined;
    case 3:
      if (first === "services") {
        return { route: { kind: "interface-methods", service: second!, interfaceName: third! }, methods: READ };
      }
      if (first === "call") return { route: { kind: "call", service: second!, method: third! }, methods: CALL };
      if (first === "ws" && second === "services") {
        return { route: { kind: "websocket", service: third! }, methods: UPGRADE };
      }
      return undefined;
    default:
      return undefined;
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new HttpFailure(400, `the path segment ${JSON.stringify(segment)} is not valid percent-encoded UTF-8`, {}, { cause: error });
  }
}

/**
 * The request's path and query. `target` is the request line's target: usually a path, but
 * HTTP allows an absolute URL there, whose path is then what counts.
 * @throws HttpFailure (400) when it is neither.
 */
export function parseTarget(target: string | undefined): URL {
  const text = target ?? "/";
  try {
    // Appended rather than resolved against a base: `//x` is a path here, not a host.
    return text.startsWith("/") ? new URL(`http://bridge.invalid${text}`) : new URL(text);
  } catch (error) {
    throw new HttpFailure(400, "the request target is not a path", {}, { cause: error });
  }
}
