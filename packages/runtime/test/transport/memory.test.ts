import { afterEach, describe, expect, it } from "vitest";
import { duplexPair } from "@varlink-ts/runtime/transport";
import { binary, closed, Collector, outcome, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

function pair() {
  const [left, right] = duplexPair();
  return [sandbox.track(left), sandbox.track(right)] as const;
}

describe("duplexPair", () => {
  it("carries bytes from the first end to the second and back", async () => {
    const [left, right] = pair();
    const atRight = new Collector(right);
    const atLeft = new Collector(left);
    left.write('{"method":"org.example.ping.Ping"}\0');
    expect(await atRight.until((text) => text.endsWith("\0"))).toBe(
      '{"method":"org.example.ping.Ping"}\0',
    );
    right.write('{"parameters":{}}\0');
    expect(await atLeft.until((text) => text.endsWith("\0"))).toBe('{"parameters":{}}\0');
  });

  it("delivers many megabytes in order through backpressure", async () => {
    const [left, right] = pair();
    const data = binary(8 * 1024 * 1024 + 3);
    const collector = new Collector(right);
    let offset = 0;
    // Write in pieces, honouring write()'s false like a well-behaved producer.
    while (offset < data.length) {
      const piece = data.subarray(offset, offset + 100_000);
      offset += piece.length;
      if (!left.write(piece)) await new Promise((resolve) => left.once("drain", resolve));
    }
    left.end();
    await closed(right);
    expect(collector.length).toBe(data.length);
    expect(collector.bytes.equals(data)).toBe(true);
  });

  it("holds writes while the reader is paused instead of buffering without bound", async () => {
    const [left, right] = pair();
    let accepted = 0;
    const chunk = Buffer.alloc(16 * 1024);
    while (left.write(chunk)) accepted++;
    // Both ends have a 16 KiB buffer by default: the writer must be told to wait long before 1 MiB.
    expect(accepted).toBeLessThan(64);
    const drained = new Promise((resolve) => left.once("drain", resolve));
    right.resume();
    await drained;
  });

  it("delivers data after the write call returns, as a socket would", async () => {
    const [left, right] = pair();
    let delivered = false;
    right.on("data", () => (delivered = true));
    left.write("x");
    expect(delivered).toBe(false);
    await new Promise((resolve) => right.once("data", resolve));
  });

  it("ending one end ends the other's readable side, and both then close", async () => {
    const [left, right] = pair();
    const atRight = new Collector(right);
    left.end("last words");
    expect(await outcome(right)).toBeUndefined();
    expect(atRight.text).toBe("last words");
    expect(right.readableEnded).toBe(true);
    // Like a socket without allowHalfOpen, the other end finishes too and the first one closes.
    expect(await outcome(left)).toBeUndefined();
    expect(left.readableEnded).toBe(true);
  });

  it("ending the second end propagates the other way", async () => {
    const [left, right] = pair();
    right.end();
    expect(await outcome(left)).toBeUndefined();
    expect(left.readableEnded).toBe(true);
    expect(await outcome(right)).toBeUndefined();
    expect(right.readableEnded).toBe(true);
  });

  it("destroying one end ends the other's readable side", async () => {
    const [left, right] = pair();
    const atRight = new Collector(right);
    left.write("before");
    await atRight.until((text) => text === "before");
    left.destroy();
    expect(await outcome(right)).toBeUndefined();
    expect(right.readableEnded).toBe(true);
    expect(left.destroyed).toBe(true);
  });

  it("destroying the second end ends the first's readable side, releasing a blocked writer", async () => {
    const [left, right] = pair();
    const chunk = Buffer.alloc(64 * 1024);
    while (left.write(chunk)) {
      // Fill both buffers: nobody reads the right end.
    }
    right.destroy(new Error("peer crashed"));
    expect(await outcome(left)).toBeUndefined();
    expect(left.readableEnded).toBe(true);
    expect(left.writableFinished).toBe(true);
  });
});
