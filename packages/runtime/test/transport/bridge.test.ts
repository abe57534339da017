import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError } from "@varlink-ts/runtime";
import { openStream } from "@varlink-ts/runtime/transport";
import { binary, closed, Collector, outcome, processExists, Sandbox } from "@varlink-ts/test-kit";

const sandbox = new Sandbox();
afterEach(() => sandbox.cleanup());

function node(script: string, ...args: string[]) {
  return { kind: "bridge" as const, command: process.execPath, args: [fileURLToPath(new URL(`fixtures/${script}`, import.meta.url)), ...args] };
}

describe("bridge addresses", () => {
  it("carry bytes through cat's stdin and stdout, and end when cat does", async () => {
    const stream = sandbox.track(await openStream({ kind: "bridge", command: "cat", args: [] }));
    const collector = new Collector(stream);
    const data = binary(512 * 1024);
    stream.end(data);
    await closed(stream);
    expect(collector.bytes.equals(data)).toBe(true);
    expect(stream.readableEnded).toBe(true);
  });

  it("carry bytes both ways through a node script", async () => {
    const stream = sandbox.track(await openStream(node("bridge-shout.mjs")));
    const collector = new Collector(stream);
    stream.write("hello, ");
    expect(await collector.until((text) => text === "HELLO, ")).toBe("HELLO, ");
    stream.write("bridge\0");
    expect(await collector.until((text) => text.length >= 14)).toBe("HELLO, BRIDGE\0");
    stream.end();
    expect(await outcome(stream)).toBeUndefined();
  });

  it("end cleanly when the child says goodbye and exits with status 0", async () => {
    const stream = sandbox.track(await openStream(node("bridge-goodbye.mjs", "0")));
    const collector = new Collector(stream);
    expect(await outcome(stream)).toBeUndefined();
    expect(collector.text).toBe("goodbye\n");
  });

  it("fail with the exit status when the child exits with a failing one", async () => {
    const stream = sandbox.track(await openStream(node("bridge-goodbye.mjs", "7")));
    const collector = new Collector(stream);
    const error = await outcome(stream);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("closed");
    expect((error as ConnectionError).message).toContain(
      `${process.execPath} exited with status 7`,
    );
    expect(collector.text).toBe("goodbye\n");
  });

  it("terminate the child when the stream is destroyed", async () => {
    const stream = sandbox.track(await openStream(node("bridge-stubborn.mjs")));
    const pid = Number((await new Collector(stream).until((text) => text.includes("\n"))).trim());
    expect(processExists(pid)).toBe(true);
    stream.destroy();
    await closed(stream);
    expect(processExists(pid)).toBe(false);
  });

  it("report a command that does not exist as not-found", async () => {
    const error = await openStream({
      kind: "bridge",
      command: "varlink-ts-no-such-bridge",
      args: ["x"],
    }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("not-found");
    expect((error as ConnectionError).message).toBe(
      "cannot start bridge:varlink-ts-no-such-bridge x: varlink-ts-no-such-bridge was not found in PATH",
    );
  });

  it("reject an empty command with a TypeError", async () => {
    await expect(openStream({ kind: "bridge", command: "", args: [] })).rejects.toThrow(TypeError);
  });
});
