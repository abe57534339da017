/**
 * The in-process service the reliability tests attack: a nested type to get wrong at every
 * depth, a map and fields named like Object.prototype's members, streams that send with and
 * without waiting for the client, and a call that never ends on its own.
 */
import {
  VarlinkService,
  type CallContext,
  type ServiceOptions,
} from "@varlink-ts/runtime";

export const RELIABILITY_INTERFACE = `interface org.example.reliability

type Level (low, high)

type Leaf (
  flag: bool,
  count: int,
  ratio: float,
  label: string,
  level: Level,
  ids: []int,
  tags: [string]string,
  seen: [string](),
  note: ?string,
  any: object
)

type Branch (
  leaf: Leaf,
  leaves: []Leaf,
  byName: [string]Leaf,
  maybe: ?Leaf,
  nested: (inner: Leaf, depth: int)
)

method Ping(ping: string) -> (pong: string)

method Check(branch: Branch) -> (ok: bool)

# Fields named like members of Object.prototype, and a map whose keys may be anything.
method Keys(map: [string]string, constructor: ?string, prototype: ?string) -> (keys: []string)

# n replies sent with context.reply() (awaited), then a last one; forever when n is null.
# With size, each reply carries that many bytes of padding.
method Stream(n: ?int, size: ?int) -> (i: int, padding: ?string)

# count replies of size bytes each sent with context.reply() WITHOUT awaiting, then a last one.
method Burst(count: int, size: int) -> (i: int, padding: string)

# Returns only when the client goes away.
method Hang() -> ()
`;

export const R = "org.example.reliability";

/** What the handlers saw, for assertions. */
export class Seen {
  /** The parameters of every Keys call, as the handler received them. */
  readonly keys: Record<string, unknown>[] = [];
  /** Hang calls whose signal fired. */
  hangsAborted = 0;
  /** Hang calls in progress. */
  hanging = 0;
}

/** A fully valid Leaf. */
export function leaf(): Record<string, unknown> {
  return {
    flag: true,
    count: 1,
    ratio: 0.5,
    label: "a",
    level: "low",
    ids: [1, 2],
    tags: { a: "b" },
    seen: { x: {} },
    note: null,
    any: { whatever: [1, "two"] },
  };
}

/** A fully valid Branch. */
export function branch(): Record<string, unknown> {
  return {
    leaf: leaf(),
    leaves: [leaf(), leaf()],
    byName: { first: leaf() },
    maybe: leaf(),
    nested: { inner: leaf(), depth: 2 },
  };
}

/** The reliability service with `options` (a logger, limits). */
export function createReliabilityService(seen: Seen, options: ServiceOptions = {}): VarlinkService {
  const service = new VarlinkService(
    { vendor: "Example", product: "reliability", version: "1", url: "https://example.org" },
    options,
  );
  service.addInterface(RELIABILITY_INTERFACE, {
    Ping: ({ ping }: { ping: string }) => ({ pong: ping }),
    Check: () => ({ ok: true }),
    Keys: (parameters: Record<string, unknown>) => {
      seen.keys.push(parameters);
      const map = parameters["map"] as Record<string, string>;
      return { keys: Object.keys(map) };
    },
    Stream: async (
      { n, size }: { n?: number | null; size?: number | null },
      context: CallContext<{ i: number; padding?: string }>,
    ) => {
      const reply = (i: number): { i: number; padding?: string } =>
        size === undefined || size === null ? { i } : { i, padding: "x".repeat(size) };
      let i = 0;
      for (; n === undefined || n === null || i < n; i++) {
        if (context.signal.aborted) return reply(i);
        await context.reply(reply(i));
      }
      return reply(i);
    },
    Burst: (
      { count, size }: { count: number; size: number },
      context: CallContext<{ i: number; padding: string }>,
    ) => {
      const padding = "x".repeat(size);
      // Deliberately not awaited: a handler that outruns its client.
      for (let i = 0; i < count; i++) void context.reply({ i, padding }).catch(() => undefined);
      return { i: count, padding: "" };
    },
    Hang: async (_: object, context: CallContext) => {
      seen.hanging++;
      await new Promise<void>((resolve) => context.signal.addEventListener("abort", () => resolve()));
      seen.hanging--;
      seen.hangsAborted++;
    },
  });
  return service;
}
