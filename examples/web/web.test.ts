/**
 * The web example in a real browser: examples/more's server on a unix socket, the HTTP bridge
 * (`serveHttp`) in front of it, the page built by build.mjs and served by serve.mjs, and headless
 * Chromium driving the page with playwright-core, as a person would with the README's commands.
 *
 * Needs the built runtime (`npx tsc -b`; `pnpm test` builds first): the page bundles its browser
 * build, and examples/more's server runs from its dist/. The page itself is built here, in
 * beforeAll. Needs Debian's Chromium at /usr/bin/chromium: without it these tests fail, they are
 * not skipped.
 */
import { existsSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { serveHttp, type HttpBridge } from "@varlink-ts/runtime/http";
import { startServer, useSandbox, type Child } from "@varlink-ts/test-kit";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const CHROMIUM = "/usr/bin/chromium";
const MORE_SERVER = fileURLToPath(new URL("../more/server", import.meta.url));
const CODEGEN = fileURLToPath(new URL("./node_modules/.bin/varlink-codegen", import.meta.url));
const SERVICE = "org.example.more";
/** TestMore's pause between progress steps: replies that follow a pause arrive on their own. */
const STEP_MS = 100;

const sandbox = useSandbox({ scope: "file", prefix: "varlink-web-" });

/** Starts `command` in this directory; its output is collected, its stdin closed. */
function run(command: string, args: readonly string[]): Child {
  return sandbox.spawn(command, args, { cwd: HERE });
}

/** Starts serve.mjs on a free port; returns its origin, `http://127.0.0.1:PORT`. */
async function servePage(): Promise<string> {
  const server = run(process.execPath, ["serve.mjs", "--port=0"]);
  const [, url] = await server.waitFor(/^Serving (http:\/\/\S+)\/$/m);
  return url!;
}

/** Sends a WebSocket upgrade request with `origin` to the bridge; resolves with the status. */
function upgradeStatus(url: string, origin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const upgrade = request(url, {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        Origin: origin,
      },
    });
    upgrade.once("upgrade", (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    upgrade.once("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    upgrade.once("error", reject);
    upgrade.end();
  });
}

let browser: Browser | undefined;
let bridge: HttpBridge | undefined;
/** The origin the bridge allows, serving the page. */
let pageOrigin = "";
/** Another origin serving the same page, which the bridge does not allow. */
let otherOrigin = "";
/** The bridge's WebSocket URL for org.example.more. */
let webSocketUrl = "";
/** Each test's own browser context. */
let context: BrowserContext | undefined;
/** What the page logged as errors, and its uncaught exceptions. */
let consoleErrors: string[] = [];

/** Opens the page from `origin`, pointed at the bridge with `?bridge=`. */
async function openPage(origin: string): Promise<Page> {
  const page = await context!.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));
  await page.goto(`${origin}/?bridge=${encodeURIComponent(webSocketUrl)}`);
  return page;
}

/** Waits until `selector` has text or the page shows an error; returns both texts. */
async function outcome(page: Page, selector: string): Promise<{ text: string; error: string }> {
  await page.locator(`${selector}:not(:empty), #error:visible`).first().waitFor();
  const error = page.locator("#error");
  return {
    text: (await page.textContent(selector)) ?? "",
    error: (await error.isVisible()) ? ((await error.textContent()) ?? "") : "",
  };
}

/**
 * Code run in the page. This file is type-checked for Node, without the DOM's types, so what
 * runs in the browser is given to Playwright as text.
 */
const RECORD_CHANGES = `(() => {
  const list = document.querySelector("#replies");
  const progress = document.querySelector("#progress");
  window.seen = [];
  new MutationObserver(() => window.seen.push([list.children.length, progress.value]))
    .observe(list, { childList: true });
})()`;

describe("examples/web in Chromium, through the HTTP bridge", () => {
  // A failure here is kept and thrown by beforeEach, so that every test fails with it: a
  // failing beforeAll would leave the tests skipped, and a missing browser must not look skipped.
  let setupFailure: unknown;

  // Building, three servers and a browser: more than the usual hook time on a busy machine.
  beforeAll(async () => {
    try {
      await setUp();
    } catch (error) {
      setupFailure = error;
    }
  }, 60_000);

  async function setUp(): Promise<void> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is missing (${CHROMIUM}): the web example's browser test needs it; install it with \`apt-get install -y chromium\``,
      );
    }

    const build = run(process.execPath, ["build.mjs"]);
    const built = await build.exited;
    if (built !== 0)
      throw new Error(`build.mjs failed (${built}):\n${build.stdout()}${build.stderr()}`);

    const directory = await sandbox.tempDir();
    const { address } = await startServer(sandbox, MORE_SERVER, [
      `--varlink=unix:${join(directory, "more.sock")}`,
      `--step-ms=${STEP_MS}`,
    ]);

    [pageOrigin, otherOrigin] = await Promise.all([servePage(), servePage()]);
    bridge = await serveHttp({ services: { [SERVICE]: address }, allowOrigins: [pageOrigin] });
    webSocketUrl = `${bridge.url.replace(/^http/, "ws")}ws/services/${SERVICE}`;

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
  }

  afterAll(async () => {
    await browser?.close();
    await bridge?.close();
    // The servers and their directory go with the sandbox, after this.
  });

  beforeEach(async () => {
    if (setupFailure !== undefined) throw setupFailure;
    context = await browser!.newContext();
    context.setDefaultTimeout(10_000);
    consoleErrors = [];
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  it("takes the bridge's WebSocket URL from ?bridge= and pings the service", async () => {
    const page = await openPage(pageOrigin);
    expect(await page.inputValue("#bridge")).toBe(webSocketUrl);
    await page.fill("#ping-text", "from the browser");
    await page.click("#ping");
    expect(await outcome(page, "#pong")).toEqual({ text: "pong: from the browser", error: "" });
    expect(await page.textContent("#status")).toBe(`Connected to ${webSocketUrl}`);
    expect(consoleErrors).toEqual([]);
  });

  it("shows TestMore's replies in order, each as it arrives", async () => {
    const page = await openPage(pageOrigin);
    await page.fill("#n", "5");
    // Record what the list holds each time the page changes it: replies rendered one by one
    // show up as one observation each, not as a single change after the stream ended.
    await page.evaluate(RECORD_CHANGES);
    await page.click("#test-more");
    await page.locator('#test-more-state[data-done="true"], #error:visible').first().waitFor();
    expect(await page.locator("#error").isHidden()).toBe(true);

    const items = page.locator("#replies li");
    const replies: string[] = [];
    for (let i = 0; i < (await items.count()); i++) {
      const item = items.nth(i);
      replies.push(`${await item.getAttribute("data-index")} ${await item.textContent()}`);
    }
    expect(replies).toEqual([
      "1 start",
      "2 progress 0",
      "3 progress 20",
      "4 progress 40",
      "5 progress 60",
      "6 progress 80",
      "7 progress 100",
      "8 end",
    ]);
    expect(await page.textContent("#test-more-state")).toBe("done: 8 replies");
    expect(await page.getAttribute("#progress", "value")).toBe("100");

    // [number of replies shown, progress bar] at each change. "start" and "progress 0" are sent
    // together; every later reply follows a pause of the service, so it has its own observation,
    // with the progress bar already moved.
    const seen = (await page.evaluate("window.seen")) as [number, number][];
    const counts = seen.map(([count]) => count);
    expect(counts).toEqual([...new Set(counts)].sort((a, b) => a - b));
    expect(counts[0]).toBeLessThanOrEqual(2);
    expect(seen.filter(([count]) => count > 2)).toEqual([
      [3, 20],
      [4, 40],
      [5, 60],
      [6, 80],
      [7, 100],
      [8, 100],
    ]);
    expect(consoleErrors).toEqual([]);
  });

  it("shows a connection error on a page from an origin the bridge does not allow", async () => {
    // The bridge refuses that origin's upgrade (403) and accepts the allowed one's.
    expect(await upgradeStatus(webSocketUrl.replace(/^ws/, "http"), otherOrigin)).toBe(403);
    expect(await upgradeStatus(webSocketUrl.replace(/^ws/, "http"), pageOrigin)).toBe(101);

    const page = await openPage(otherOrigin);
    await page.click("#ping");
    const { text, error } = await outcome(page, "#pong");
    expect(text).toBe("");
    expect(error).toMatch(/^Ping failed: connection error \(io\): cannot connect to ws:\/\//);
    expect(error).toContain(`--allow-origin ${otherOrigin}`);
    expect(await page.locator("#error").isVisible()).toBe(true);
    expect(await page.textContent("#status")).toBe("Not connected.");
  });
});

describe("examples/web: src/gen", () => {
  it("is what varlink-codegen generates now from ../more/org.example.more.varlink (--check)", async () => {
    const check = run(CODEGEN, ["../more/org.example.more.varlink", "-o", "src/gen", "--check"]);
    const code = await check.exited;
    // On failure the output names every stale file with a diff; it is part of the message.
    expect({ code, output: check.stdout() + check.stderr() }).toEqual({
      code: 0,
      output: expect.any(String) as unknown,
    });
  });
});
