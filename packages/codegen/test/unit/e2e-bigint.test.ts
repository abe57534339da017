/**
 * The generated org.example.bigint (generated with bigint selectors, see fixture-inputs.ts) end
 * to end: the fields its types say are bigints arrive as exact bigints at both ends, beyond
 * 2^53 too, and the others as numbers, so the generator and the runtime agree on the selection.
 */
import { afterEach, describe, expect, it } from "vitest";
import { OrgExampleBigint as Big } from "../../../../fixtures/generated/index.js";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const HUGE = 2n ** 64n - 1n;

describe("org.example.bigint: bigint fields end to end", () => {
  it("delivers selected fields as exact bigints and the others as numbers, both ways", async () => {
    const received: unknown[] = [];
    const mock = await Big.createMock({
      add({ total, values }) {
        received.push(total, ...values);
        return { total: total + values.reduce((sum, value) => sum + value, 0n), count: values.length };
      },
      get: () => ({
        limit: {
          max: HUGE,
          hits: 3,
          history: [1n, 2n ** 53n + 1n],
          per_user: { root: HUGE },
          window: { start: 2n ** 60n, label: "always" },
        },
        usage: { bytes: 2n ** 53n + 1n, files: 7 },
      }),
    });
    closers.push(() => mock.close());

    const sum = await mock.client.add({ total: 2n ** 53n, values: [1n, 2n] });
    expect(sum).toEqual({ total: 2n ** 53n + 3n, count: 2 });
    expect(received).toEqual([2n ** 53n, 1n, 2n]);

    const { limit, usage } = await mock.client.get({ name: "memory" });
    expect(limit).toEqual({
      max: HUGE,
      hits: 3,
      history: [1n, 9007199254740993n],
      per_user: { root: HUGE },
      window: { start: 2n ** 60n, label: "always" },
    });
    expect(usage).toEqual({ bytes: 9007199254740993n, files: 7 });
    expect(typeof limit.hits).toBe("number");
    expect(typeof usage.files).toBe("number");
  });
});
