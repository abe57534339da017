/**
 * `varlink call --push-fd=FD|PATH` (as varlinkctl's): a descriptor inherited from the shell, or a
 * file opened read-only, goes with the call to a service that reads it; other addresses refuse.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { VarlinkService } from "@varlink-ts/runtime";
import { takeFds } from "@varlink-ts/runtime/fds";

const VARLINK = fileURLToPath(new URL("../bin/varlink.js", import.meta.url));

const IDL = `interface org.example.files

# Reads the files sent with the call.
method Read() -> (texts: []string)
`;

let dir: string;
let service: VarlinkService | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "varlink-push-fd-"));
});

afterEach(async () => {
  await service?.close({ grace: 0 });
  service = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function startService(): Promise<string> {
  service = new VarlinkService({ vendor: "Test", product: "files", version: "1", url: "https://example.org" }, { fds: true });
  service.addInterface(IDL, {
    Read(parameters: object) {
      const texts = takeFds(parameters).map((fd) => {
        const buffer = Buffer.alloc(4096);
        const n = readSync(fd, buffer, 0, buffer.length, 0);
        closeSync(fd);
        return buffer.subarray(0, n).toString();
      });
      return { texts };
    },
  });
  return (await service.listen(`unix:${join(dir, "files.sock")}`)).address;
}

/** Runs `varlink ARGS` with `fd3` (if given) as its descriptor 3. */
function varlink(args: string[], fd3?: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [VARLINK, ...args], {
    stdio: ["ignore", "pipe", "pipe", ...(fd3 === undefined ? [] : [fd3])],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (data: Buffer) => (stdout += data.toString()));
  child.stderr!.on("data", (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

it("sends a file by path and a descriptor by number, in order", async () => {
  const address = await startService();
  writeFileSync(join(dir, "a.txt"), "by path");
  writeFileSync(join(dir, "b.txt"), "by number");
  const inherited = openSync(join(dir, "b.txt"), "r");
  try {
    const result = await varlink(
      ["call", "-j", "--push-fd", join(dir, "a.txt"), "--push-fd", "3", `${address}/org.example.files.Read`, "{}"],
      inherited,
    );
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ texts: ["by path", "by number"] });
  } finally {
    closeSync(inherited);
  }
});

it("refuses --push-fd for an address that cannot carry descriptors, and a file it cannot open", async () => {
  const tcp = await varlink(["call", "--push-fd", "/dev/null", "tcp:127.0.0.1:9/org.example.files.Read", "{}"]);
  expect(tcp.code).toBe(2);
  expect(tcp.stderr).toMatch(/--push-fd needs a unix: address/);
  const address = await startService();
  const missing = await varlink(["call", "--push-fd", join(dir, "missing"), `${address}/org.example.files.Read`, "{}"]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/--push-fd .*missing.*ENOENT/);
});
