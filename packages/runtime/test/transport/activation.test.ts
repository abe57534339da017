import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import type { StdioOptions } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { listenFromEnvironment } from "@varlink-ts/runtime/transport";
import { fixture, Resources } from "./helpers.js";

const builtRuntime = fileURLToPath(new URL("../../dist/transport/index.js", import.meta.url));
const resources = new Resources();
afterEach(() => resources.release());

beforeAll(() => {
  // The probe runs packages/runtime/dist, which `pnpm test` builds before running tests.
  expect(existsSync(builtRuntime), `${builtRuntime} is missing: run npx tsc -b first`).toBe(true);
});

interface ProbeResult {
  address: string | null;
  error: { name: string; code: string | null; message: string } | null;
  env: Record<string, string | null>;
}

/**
 * Runs the probe with the given environment. With `ownPid`, LISTEN_PID is set to the probe's own
 * pid the way an activator does it (a shell exports its pid, then execs the program).
 */
async function probe(
  env: Record<string, string>,
  options: { ownPid?: boolean; fd3?: number; args?: string[] } = {},
): Promise<ProbeResult> {
  const program = [process.execPath, fixture("activation-probe.mjs"), ...(options.args ?? [])];
  const [command, args] = options.ownPid
    ? ["/bin/sh", ["-c", 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"', ...program]]
    : [program[0] as string, program.slice(1)];
  const stdio: StdioOptions = ["ignore", "pipe", "inherit"];
  if (options.fd3 !== undefined) stdio.push(options.fd3);
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith("LISTEN_")),
  );
  const child = resources.spawn(command as string, args as string[], {
    stdio,
    env: { ...clean, ...env },
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += String(chunk)));
  const code = await new Promise((resolve) => child.once("close", resolve));
  expect(code, output).toBe(0);
  return JSON.parse(output) as ProbeResult;
}

describe("listenFromEnvironment", () => {
  it("returns undefined in a process that was not socket-activated", async () => {
    expect(listenFromEnvironment(() => undefined)).toBeUndefined();
    expect(await probe({})).toStrictEqual({
      address: null,
      error: null,
      env: { LISTEN_FDS: null, LISTEN_PID: null, LISTEN_FDNAMES: null },
    });
  });

  it("ignores and keeps variables meant for another process", async () => {
    const result = await probe({ LISTEN_FDS: "1", LISTEN_PID: "1", LISTEN_FDNAMES: "varlink" });
    expect(result.address).toBeNull();
    expect(result.error).toBeNull();
    expect(result.env).toStrictEqual({
      LISTEN_FDS: "1",
      LISTEN_PID: "1",
      LISTEN_FDNAMES: "varlink",
    });
  });

  it("returns undefined when LISTEN_FDS passes no socket", async () => {
    for (const fds of ["0", "", "two"]) {
      const result = await probe({ LISTEN_FDS: fds }, { ownPid: true });
      expect(result.address).toBeNull();
      expect(result.error).toBeNull();
    }
  });

  it("throws a ConnectionError when fd 3 is not a listening socket, after clearing the variables", async () => {
    const directory = await resources.directory();
    const file = openSync(join(directory, "plain-file"), "w");
    try {
      const result = await probe(
        { LISTEN_FDS: "1", LISTEN_FDNAMES: "varlink" },
        { ownPid: true, fd3: file },
      );
      expect(result.address).toBeNull();
      expect(result.error).toStrictEqual({
        name: "ConnectionError",
        code: "io",
        message:
          "cannot serve the socket passed by socket activation: fd 3 is not a listening socket",
      });
      expect(result.env).toStrictEqual({
        LISTEN_FDS: null,
        LISTEN_PID: null,
        LISTEN_FDNAMES: null,
      });
    } finally {
      closeSync(file);
    }
  });
});
