/**
 * The service the server tests talk to: org.example.test, whose methods each exercise one part
 * of dispatch, and hooks the tests use to see what the handlers saw.
 */
import type { Duplex } from "node:stream";
import {
  PermissionDeniedError,
  VarlinkError,
  VarlinkService,
  type CallContext,
  type ServiceOptions,
} from "@varlink-ts/runtime";
import { deferred } from "../wait.js";

export const TEST_INTERFACE = `# A service for the server's tests.
interface org.example.test

type Mode (fast, slow)

type Inner (flag: bool, note: ?string)

type Outer (
  inner: Inner,
  list: []Inner,
  map: [string]Inner,
  mode: Mode,
  maybe: ?Inner
)

method Ping(ping: string) -> (pong: string)

method Echo(outer: Outer) -> (outer: Outer)

method Keys(value: [string]string) -> (keys: []string)

# Yields i = 0..n-1; for n < 0 yields 0 and then fails.
method Count(n: int) -> (i: int)

# Yields n ticks, forever when n is null.
method Tick(n: ?int, size: ?int) -> (tick: ?int, padding: ?string)

method Fail(kind: string) -> ()

method Note(text: string) -> ()

method Notes() -> (notes: []string)

# Waits until the test opens the gate or the client goes away.
method Wait() -> (how: string)

# Replies with whatever value it is given, so tests can make a handler return anything.
method Reply(value: any) -> (text: string)

method Upgrade(protocol: string) -> (ready: bool)

method Missing() -> ()

error Boom (reason: string)
`;

export const INFO = {
  vendor: "Example",
  product: "test",
  version: "1",
  url: "https://example.org",
} as const;

/** What the handlers report to the tests. */
export class Hooks {
  readonly notes: string[] = [];
  /** Opened by a test to let Wait return. */
  gate = deferred();
  /** Resolves when a Wait call saw its signal fire. */
  aborted = deferred();
  /** Resolves when Wait has started. */
  waiting = deferred();
  /** Resolves when a Tick stream's finally block ran. */
  tickFinished = deferred();
  /** How many Ping calls were answered. */
  pings = 0;
  /** How many Tick values were produced. */
  ticks = 0;
  /** Resolves with the stream of an upgraded call. */
  upgraded = deferred<Duplex>();
}

/** A service implementing org.example.test (all but Missing). */
export function createTestService(hooks: Hooks, options: ServiceOptions = {}): VarlinkService {
  const service = new VarlinkService(INFO, options);
  service.addInterface(TEST_INTERFACE, {
    Ping: ({ ping }: { ping: string }) => {
      hooks.pings++;
      return { pong: ping };
    },
    Echo: async ({ outer }: { outer: object }) => ({ outer }),
    Keys: ({ value }: { value: Record<string, string> }) => ({ keys: Object.keys(value) }),
    Count: async function* ({ n }: { n: number }) {
      if (n < 0) {
        yield { i: 0 };
        throw new VarlinkError("org.example.test.Boom", { reason: "negative" });
      }
      for (let i = 0; i < n; i++) yield { i };
    },
    Tick: async function* ({ n, size }: { n?: number | null; size?: number | null }) {
      const padding = "x".repeat(size ?? 0);
      try {
        for (let i = 0; n === undefined || n === null || i < n; i++) {
          hooks.ticks++;
          yield size === undefined || size === null ? { tick: i } : { tick: i, padding };
        }
      } finally {
        hooks.tickFinished.resolve();
      }
    },
    Fail: ({ kind }: { kind: string }) => {
      if (kind === "varlink") throw new VarlinkError("org.example.test.Boom", { reason: "asked" });
      if (kind === "standard") throw new PermissionDeniedError();
      throw new TypeError(`failing as ${kind}`);
    },
    Note: ({ text }: { text: string }) => {
      hooks.notes.push(text);
      if (text === "fail") throw new TypeError("note failed");
      if (text === "error") throw new VarlinkError("org.example.test.Boom", { reason: "note" });
    },
    Notes: () => ({ notes: hooks.notes }),
    Wait: async (_: object, context: CallContext) => {
      hooks.waiting.resolve();
      const aborted = new Promise<string>((resolve) =>
        context.signal.addEventListener("abort", () => resolve("aborted")),
      );
      const how = await Promise.race([hooks.gate.promise.then(() => "opened"), aborted]);
      if (how === "aborted") hooks.aborted.resolve();
      return { how };
    },
    Reply: ({ value }: { value: unknown }) => value as object,
    Upgrade: ({ protocol }: { protocol: string }, context: CallContext) => {
      if (protocol === "refuse") throw new VarlinkError("org.example.test.Boom", { reason: "refused" });
      if (protocol === "shout") void context.upgradedStream().then((stream) => hooks.upgraded.resolve(stream));
      return { ready: true };
    },
  });
  return service;
}
