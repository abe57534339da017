/**
 * `varlink` against a service behind an HTTP bridge: `ws://` and `http://` addresses work where
 * any address does (call, with `more`; info; introspect), through the runtime's `serveHttp`.
 */
import { tmpdir } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { VarlinkService } from "@varlink-ts/runtime";
import { serveHttp, type HttpBridge } from "@varlink-ts/runtime/http";
import { runBin } from "@varlink-ts/test-kit";

const IDL = `# Counts.
interface org.example.count

method Count(to: int) -> (n: int)

method Echo(text: string) -> (text: string)

error TooFar (limit: int)
`;

let bridge: HttpBridge | undefined;
let service: VarlinkService | undefined;

afterEach(async () => {
  await bridge?.close();
  await service?.close({ grace: 0 });
  bridge = undefined;
  service = undefined;
});

/** The WebSocket URL of org.example.count, served over HTTP from this process. */
async function serve(): Promise<string> {
  service = new VarlinkService({ vendor: "Test", product: "count", version: "1", url: "https://example.org" });
  service.addInterface(IDL, {
    async *Count({ to }: { to: number }) {
      for (let n = 1; n <= to; n++) yield { n };
    },
    Echo: ({ text }: { text: string }) => ({ text }),
  });
  bridge = await serveHttp({ services: { "org.example.count": service } });
  return `${bridge.url}ws/services/org.example.count`.replace(/^http/, "ws");
}

describe("varlink with ws:// addresses", () => {
  it("calls a method, in the ADDRESS/METHOD and ADDRESS METHOD forms", async () => {
    const url = await serve();
    const joined = await runBin("varlink", ["call", `${url}/org.example.count.Echo`, '{"text": "hé"}'], { cwd: tmpdir() });
    expect(joined.stderr).toBe("");
    expect(JSON.parse(joined.stdout)).toEqual({ text: "hé" });
    const apart = await runBin("varlink", ["call", "-j", url.replace(/^ws/, "http"), "org.example.count.Echo", '{"text": "x"}'], { cwd: tmpdir() });
    expect(JSON.parse(apart.stdout)).toEqual({ text: "x" });
  });

  it("streams a more call", async () => {
    const url = await serve();
    const result = await runBin("varlink", ["call", "--more", "-j", url, "org.example.count.Count", '{"to": 3}'], { cwd: tmpdir() });
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n").map((line) => JSON.parse(line) as unknown)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it("reads the service's info and interface through the bridge", async () => {
    const url = await serve();
    const info = await runBin("varlink", ["info", url], { cwd: tmpdir() });
    expect(info.code).toBe(0);
    expect(info.stdout).toContain("org.example.count");
    const introspect = await runBin("varlink", ["introspect", url, "org.example.count"], { cwd: tmpdir() });
    expect(introspect.stdout).toContain("method Count(to: int) -> (n: int)");
  });

  it("says what the bridge said when it cannot reach the service", async () => {
    await serve();
    const missing = `${bridge!.url}ws/services/org.example.missing`.replace(/^http/, "ws");
    const result = await runBin("varlink", ["info", missing], { cwd: tmpdir() });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/HTTP 404/);
  });
});
