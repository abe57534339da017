/**
 * The default memory budget is a quarter of the heap a process may fill with messages: with
 * `--max-old-space-size`, of that old space, not of V8's heap limit, which adds a young
 * generation (192 MiB in Node 24) that messages of megabytes never use.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const builtWire = new URL("../../dist/wire/index.js", import.meta.url).href;

/** What defaultMemoryLimit() gives, in MiB, in a fresh Node started with `flags` and `nodeOptions`. */
function limitInMiB(flags: readonly string[], nodeOptions?: string): number {
  const program = `import { defaultMemoryLimit } from ${JSON.stringify(builtWire)};
    process.stdout.write(String(defaultMemoryLimit() / 1048576));`;
  const env = { ...process.env, NODE_OPTIONS: nodeOptions ?? "" };
  return Number(execFileSync(process.execPath, [...flags, "--input-type=module", "-e", program], { env, encoding: "utf8" }));
}

describe("defaultMemoryLimit", () => {
  it("is a quarter of --max-old-space-size, on every Node version", () => {
    expect(limitInMiB(["--max-old-space-size=256"])).toBe(64);
    expect(limitInMiB(["--max_old_space_size=512"])).toBe(128);
  });

  it("reads it from NODE_OPTIONS, where the command line overrides it", () => {
    expect(limitInMiB([], "--max-old-space-size=256")).toBe(64);
    expect(limitInMiB([], '--max-old-space-size="256"')).toBe(64);
    expect(limitInMiB(["--max-old-space-size=512"], "--max-old-space-size=256")).toBe(128);
  });

  it("is a quarter of V8's heap limit without it", () => {
    const heapLimit = Number(
      execFileSync(process.execPath, ["-p", "require('node:v8').getHeapStatistics().heap_size_limit / 1048576"], {
        env: { ...process.env, NODE_OPTIONS: "" },
        encoding: "utf8",
      }),
    );
    expect(limitInMiB([])).toBe(Math.floor((heapLimit * 1048576) / 4) / 1048576);
  });
});

