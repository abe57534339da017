/**
 * Bounds that hold across the parts of the runtime: one connection's pipelined calls are spread
 * over turns of the event loop even when its handlers are async (their ends resume reading in
 * the same turn); a reply may hold more values than a call may; and replies left in a finished
 * `more` call's buffer stop counting against the memory budget.
 */
import { afterEach, expect, it } from "vitest";
import { Connection, VarlinkService } from "@varlink-ts/runtime";
import { duplexPair } from "@varlink-ts/runtime/transport";
import { MAX_MESSAGE_ELEMENTS, MemoryBudget } from "@varlink-ts/runtime/wire";

const INTERFACE = `interface org.example.turns

method Take(data: string) -> (n: int)

method List(n: int) -> (ids: []int)

method Stream(n: int, size: int) -> (data: string)
`;

let service: VarlinkService | undefined;
let client: Connection | undefined;

afterEach(async () => {
  client?.close();
  await service?.close({ grace: 0 });
});

/** A service on one end of an in-memory pair, a client on the other. */
function serve(handlers: object, budget?: MemoryBudget): Connection {
  service = new VarlinkService({ vendor: "t", product: "t", version: "1", url: "https://example.org" });
  service.addInterface(INTERFACE, handlers);
  const [near, far] = duplexPair();
  service.serve(far);
  client = Connection.fromStream(near, budget === undefined ? {} : { memoryBudget: budget });
  return client;
}

it("spreads one connection's pipelined calls over turns, also when its handlers are async", async () => {
  let turn = 0;
  let ticking = true;
  const tick = (): void => {
    turn++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const callsPerTurn = new Map<number, number>();
  const connection = serve({
    Take: async ({ data }: { data: string }) => {
      callsPerTurn.set(turn, (callsPerTurn.get(turn) ?? 0) + 1);
      return { n: data.length };
    },
  });
  const data = "x".repeat(100_000);
  const replies = await Promise.all(
    Array.from({ length: 150 }, () => connection.call<{ n: number }>("org.example.turns.Take", { data })),
  );
  ticking = false;
  expect(replies.every(({ n }) => n === data.length)).toBe(true);
  // 1 MiB a turn: at most 11 calls of 100 KB; before, all 150 were taken in one turn.
  expect(Math.max(...callsPerTurn.values())).toBeLessThanOrEqual(11);
  expect(callsPerTurn.size).toBeGreaterThanOrEqual(14);
});

it("parses one large message per turn across connections, and small calls between them", async () => {
  let turn = 0;
  let ticking = true;
  const tick = (): void => {
    turn++;
    if (ticking) setImmediate(tick);
  };
  setImmediate(tick);
  const largePerTurn = new Map<number, number>();
  const smallTurns: number[] = [];
  service = new VarlinkService({ vendor: "t", product: "t", version: "1", url: "https://example.org" });
  service.addInterface(INTERFACE, {
    Take: ({ data }: { data: string }) => {
      if (data.length > 1000) largePerTurn.set(turn, (largePerTurn.get(turn) ?? 0) + 1);
      else smallTurns.push(turn);
      return { n: data.length };
    },
  });
  const clients = Array.from({ length: 8 }, () => {
    const [near, far] = duplexPair();
    service!.serve(far);
    return Connection.fromStream(near);
  });
  const large = "L".repeat(300_000);
  const calls = clients.map((connection) => connection.call("org.example.turns.Take", { data: large }));
  const small = clients[0]!.call("org.example.turns.Take", { data: "s" });
  const other = Connection.fromStream(
    (() => {
      const [near, far] = duplexPair();
      service!.serve(far);
      return near;
    })(),
  );
  const smallElsewhere = other.call("org.example.turns.Take", { data: "s" });
  await Promise.all([...calls, small, smallElsewhere]);
  ticking = false;
  for (const connection of [...clients, other]) connection.close();
  // Eight large messages arrived at once: one parsed per turn, not all in the first.
  expect([...largePerTurn.values()]).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  // The small call on its own connection did not wait for all eight.
  expect(smallTurns.length).toBe(2);
  expect(Math.min(...smallTurns)).toBeLessThan(Math.max(...largePerTurn.keys()));
});

it("a reply may hold more values than a call may", async () => {
  const connection = serve({ List: ({ n }: { n: number }) => ({ ids: Array.from({ length: n }, (_, i) => i) }) });
  const n = MAX_MESSAGE_ELEMENTS + 100_000;
  const { ids } = await connection.call<{ ids: number[] }>("org.example.turns.List", { n });
  expect(ids).toHaveLength(n);
  expect(ids[n - 1]).toBe(n - 1);
});

it("replies left unread when a more call ends stop counting against the budget", async () => {
  const budget = new MemoryBudget(2 ** 30);
  const connection = serve(
    {
      Stream: async function* ({ n, size }: { n: number; size: number }) {
        for (let i = 0; i < n; i++) yield { data: "s".repeat(size) };
      },
      List: () => ({ ids: [] }),
    },
    budget,
  );
  for (let round = 0; round < 5; round++) {
    const replies = connection.callMore<{ data: string }>("org.example.turns.Stream", { n: 10, size: 50_000 });
    expect((await replies.next()).done).toBe(false);
    // The rest arrive and the call ends; the iterator is dropped without being read further.
  }
  // A later call on the same connection: every reply before it has been read by then.
  await connection.call("org.example.turns.List", { n: 0 });
  expect(budget.used).toBe(0);
});
