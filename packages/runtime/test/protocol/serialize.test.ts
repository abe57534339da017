import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frameLength, serializeMessage, SPLIT_THRESHOLD } from "../../src/protocol/serialize.js";

/** What a frame puts on the wire, as text. */
function wire(frame: string | Buffer[]): string {
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
    for (const buffer of frame as Buffer[]) expect(buffer.length).toBeLessThan(3 * 64 * 1024 + 3 * 20_000);
  });

  it("writes what JSON.stringify writes for holes, undefined, functions, toJSON and escapes", () => {
    const list: unknown[] = items(200, 2 * SPLIT_THRESHOLD);
    list[5] = undefined;
    list[6] = () => 1;
    list[7] = new Date(0);
    list[8] = "\u2028\ud800\"\\\n";
    list[9] = null;
    delete list[10];
    const message = { parameters: { skipped: undefined, list, fn: () => 2, also: [] }, continues: undefined };
    const frame = serializeMessage(message);
    expect(Array.isArray(frame)).toBe(true);
    expect(wire(frame)).toBe(`${JSON.stringify(message)}\0`);
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

  it("leaves parameters that serialize themselves to JSON.stringify", () => {
    const list = items(1000, 2 * SPLIT_THRESHOLD);
    const custom = { list, toJSON: () => ({ replaced: true }) };
    expect(serializeMessage({ parameters: custom })).toBe('{"parameters":{"replaced":true}}');
    class Params {
      constructor(readonly list: unknown[]) {}
    }
    expect(typeof serializeMessage({ parameters: new Params(list) })).toBe("string");
  });

  it("throws what JSON.stringify throws", () => {
    const list: unknown[] = items(1000, 2 * SPLIT_THRESHOLD);
    list[500] = 10n;
    expect(() => serializeMessage({ parameters: { list } })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    list[500] = cyclic;
    expect(() => serializeMessage({ parameters: { list } })).toThrow(TypeError);
  });
});
