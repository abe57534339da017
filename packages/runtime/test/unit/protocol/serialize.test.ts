import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frameLength, serializeMessage, SPLIT_THRESHOLD } from "../../../src/protocol/serialize.js";
import { ValueError } from "@varlink-ts/runtime";

/** What a frame puts on the wire, as text. */
function wire(frame: string | Uint8Array[]): string {
  return typeof frame === "string" ? `${frame}\0` : Buffer.concat(frame).toString("utf8");
}

/** An array of `count` items whose JSON is about `size` characters in all. */
function items(count: number, size: number): { id: number; name: string }[] {
  const padding = "é😀x".repeat(Math.ceil(size / count / 4));
  return Array.from({ length: count }, (_, id) => ({ id, name: `${id}-${padding}` }));
}

describe("serializeMessage", () => {
  it("serializes a small message as JSON.stringify does, as one string", () => {
    const message = { parameters: { items: items(100, 20_000) }, continues: true };
    expect(serializeMessage(message)).toBe(JSON.stringify(message));
  });

  it("serializes parameters holding a long, large array into buffers of at most 64 Ki characters", () => {
    const message = { method: "org.example.bench.Echo", parameters: { before: 1, items: items(1000, 2 * SPLIT_THRESHOLD), after: "z" }, more: true };
    const frame = serializeMessage(message);
    expect(Array.isArray(frame)).toBe(true);
    expect(wire(frame)).toBe(`${JSON.stringify(message)}\0`);
    expect(frameLength(frame)).toBe(Buffer.byteLength(`${JSON.stringify(message)}\0`));
    for (const buffer of frame as Uint8Array[]) expect(buffer.length).toBeLessThan(3 * 64 * 1024 + 3 * 20_000);
  });

  it("writes what JSON.stringify writes for escapes, nulls and absent properties", () => {
    const list: unknown[] = items(200, 2 * SPLIT_THRESHOLD);
    list[8] = "\u2028\ud800\"\\\n";
    list[9] = null;
    const message = { parameters: { skipped: undefined, list, also: [] }, continues: undefined };
    const frame = serializeMessage(message);
    expect(Array.isArray(frame)).toBe(true);
    expect(wire(frame)).toBe(`${JSON.stringify(message)}\0`);
  });

  it.each([
    ["an undefined array element", (list: unknown[]) => (list[5] = undefined), "list[5]"],
    ["a hole in an array", (list: unknown[]) => delete list[10], "list[10]"],
    ["a function in an array", (list: unknown[]) => (list[6] = () => 1), "list[6]"],
    ["a Date", (list: unknown[]) => (list[7] = new Date(0)), "list[7]"],
    ["NaN", (list: unknown[]) => (list[3] = { score: Number.NaN }), "list[3].score"],
    ["a symbol", (list: unknown[]) => (list[2] = { tag: Symbol("t") }), "list[2].tag"],
  ])("refuses %s, naming where it is, rather than sending it changed", (_what, spoil, path) => {
    for (const size of [200, 20]) {
      const list: unknown[] = items(size, 2 * SPLIT_THRESHOLD);
      spoil(list);
      const thrown = (() => {
        try {
          serializeMessage({ parameters: { list } });
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(thrown).toBeInstanceOf(ValueError);
      expect((thrown as ValueError).path).toBe(path);
    }
  });

  it("refuses a function property and an object that serializes itself", () => {
    expect(() => serializeMessage({ parameters: { fn: () => 2 } })).toThrow(ValueError);
    const custom = { list: [], toJSON: () => ({ replaced: true }) };
    expect(() => serializeMessage({ parameters: custom })).toThrow(/toJSON/);
  });

  it("writes Sets and Maps in their varlink form, and BigInts as their digits", () => {
    const parameters = {
      set: new Set(["a", "b"]),
      map: new Map<string, unknown>([["x", 1], ["y", new Set(["z"])]]),
      big: 2n ** 64n - 1n,
      list: [1, -(2n ** 63n)],
    };
    expect(serializeMessage({ parameters })).toBe(
      '{"parameters":{"set":{"a":{},"b":{}},"map":{"x":1,"y":{"z":{}}},"big":18446744073709551615,"list":[1,-9223372036854775808]}}',
    );
    // The value given is left as it was.
    expect(parameters.set).toBeInstanceOf(Set);
  });

  it("gives the same bytes as JSON.stringify for any parameters", () => {
    const big = fc.array(fc.jsonValue(), { minLength: 64, maxLength: 80 }).map((values) => [{ pad: "p".repeat(SPLIT_THRESHOLD / 32) }, ...values]);
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), big)), fc.boolean(), (parameters, continues) => {
        const message = continues ? { parameters, continues } : { parameters };
        expect(wire(serializeMessage(message))).toBe(`${JSON.stringify(message)}\0`);
      }),
      { numRuns: 60 },
    );
  });

  it("writes a class instance's own data, as JSON.stringify does", () => {
    const list = items(1000, 2 * SPLIT_THRESHOLD);
    class Params {
      constructor(readonly list: unknown[]) {}
    }
    expect(wire(serializeMessage({ parameters: new Params(list) }))).toBe(
      `${JSON.stringify({ parameters: new Params(list) })}\0`,
    );
  });

  it("refuses a cycle, and writes a BigInt even in a large message", () => {
    const list: unknown[] = items(1000, 2 * SPLIT_THRESHOLD);
    list[500] = 10n;
    expect(wire(serializeMessage({ parameters: { list } }))).toContain(",10,");
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    list[500] = cyclic;
    expect(() => serializeMessage({ parameters: { list } })).toThrow(ValueError);
  });
});
