/**
 * The page: calls org.example.more through an HTTP bridge's WebSocket mode with the client
 * generated from `../more/org.example.more.varlink` (src/gen). Bundled for browsers by
 * build.mjs; `@varlink-ts/runtime` resolves to its browser build there, whose `connect` opens
 * the page's own WebSocket.
 */
import { ConnectionError, VarlinkError } from "@varlink-ts/runtime";
import { OrgExampleMore } from "./gen/index.js";

const SERVICE = "org.example.more";
/** Connecting gives up after this long (a bridge that accepts and never answers the upgrade). */
const CONNECT_TIMEOUT_MS = 10_000;

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`index.html has no <${type.name}> #${id}`);
  return found;
}

const bridgeInput = element("bridge", HTMLInputElement);
const statusLine = element("status", HTMLParagraphElement);
const pingText = element("ping-text", HTMLInputElement);
const pingButton = element("ping", HTMLButtonElement);
const pongOutput = element("pong", HTMLOutputElement);
const nInput = element("n", HTMLInputElement);
const testMoreButton = element("test-more", HTMLButtonElement);
const testMoreState = element("test-more-state", HTMLOutputElement);
const progressBar = element("progress", HTMLProgressElement);
const replyList = element("replies", HTMLOListElement);
const errorBox = element("error", HTMLParagraphElement);

/**
 * The bridge's WebSocket URL for the service: `?bridge=URL` when the page was opened with one,
 * otherwise the page's own host, as when the bridge and the page share an origin (a reverse
 * proxy in front of both).
 */
function defaultBridgeUrl(): string {
  const fromQuery = new URLSearchParams(location.search).get("bridge");
  if (fromQuery !== null && fromQuery !== "") return fromQuery;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/services/${SERVICE}`;
}

bridgeInput.value = defaultBridgeUrl();

// Keep the address bar in step, so a reload or a shared link uses the same bridge.
bridgeInput.addEventListener("change", () => {
  const url = new URL(location.href);
  url.searchParams.set("bridge", bridgeInput.value.trim());
  history.replaceState(null, "", url);
});

/** One connection, reused while the URL stays the same and the connection stays open. */
let current: { url: string; client: Promise<OrgExampleMore.Client> } | undefined;

async function client(): Promise<OrgExampleMore.Client> {
  const url = bridgeInput.value.trim();
  if (current !== undefined && current.url === url) {
    const open = await current.client.catch(() => undefined);
    if (open !== undefined && !open.connection.closed) return open;
  }
  current?.client.then(
    (old) => old.close(),
    () => undefined,
  );
  setStatus(`Connecting to ${url}…`);
  const pending = OrgExampleMore.connect(url, { timeout: CONNECT_TIMEOUT_MS });
  const attempt = { url, client: pending };
  current = attempt;
  try {
    const connected = await pending;
    setStatus(`Connected to ${url}`);
    return connected;
  } catch (error) {
    if (current === attempt) current = undefined;
    setStatus("Not connected.");
    throw error;
  }
}

function setStatus(text: string): void {
  statusLine.textContent = text;
}

function showError(action: string, error: unknown): void {
  errorBox.textContent = `${action} failed: ${describeError(error)}`;
  errorBox.hidden = false;
}

function clearError(): void {
  errorBox.textContent = "";
  errorBox.hidden = true;
}

function describeError(error: unknown): string {
  if (OrgExampleMore.TestMoreError.is(error)) return `the service says: ${error.parameters.reason}`;
  if (error instanceof VarlinkError) {
    return `${error.error} ${JSON.stringify(error.parameters)}`;
  }
  if (error instanceof ConnectionError) {
    // Browsers do not tell a page why a WebSocket failed: a bridge that is down and one that
    // refuses this page's origin (403) look the same from here.
    const hint =
      error.code === "io"
        ? `\nIs the bridge running, and does it allow this page's origin (--allow-origin ${location.origin})?`
        : "";
    return `connection error (${error.code}): ${error.message}${hint}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Runs `task` with `button` disabled, showing its failure, if any, as text. */
async function withButton(button: HTMLButtonElement, action: string, task: () => Promise<void>) {
  button.disabled = true;
  clearError();
  try {
    await task();
  } catch (error) {
    showError(action, error);
  } finally {
    button.disabled = false;
  }
}

pingButton.addEventListener("click", () => {
  void withButton(pingButton, "Ping", async () => {
    pongOutput.value = "";
    const { pong } = await (await client()).ping({ ping: pingText.value });
    pongOutput.value = `pong: ${pong}`;
  });
});

function describeState(state: OrgExampleMore.State): { kind: string; text: string } {
  if (state.start) return { kind: "start", text: "start" };
  if (state.end) return { kind: "end", text: "end" };
  if (typeof state.progress === "number") {
    return { kind: "progress", text: `progress ${state.progress}` };
  }
  return { kind: "other", text: JSON.stringify(state) };
}

function replies(count: number): string {
  return `${count} ${count === 1 ? "reply" : "replies"}`;
}

testMoreButton.addEventListener("click", () => {
  void withButton(testMoreButton, "TestMore", async () => {
    const n = nInput.valueAsNumber;
    replyList.replaceChildren();
    progressBar.value = 0;
    testMoreState.value = "";
    testMoreState.dataset.done = "false";
    let count = 0;
    try {
      const connected = await client();
      testMoreState.value = "waiting for replies…";
      // Each reply is shown as it arrives: the service sends them with `continues` while it
      // works, the bridge passes each on at once, and the loop runs once per reply.
      for await (const { state } of connected.testMore.more({ n })) {
        count += 1;
        const { kind, text } = describeState(state);
        const item = document.createElement("li");
        item.dataset.kind = kind;
        item.dataset.index = String(count);
        item.textContent = text;
        replyList.append(item);
        item.scrollIntoView({ block: "nearest" });
        if (typeof state.progress === "number") progressBar.value = state.progress;
        testMoreState.value = `${replies(count)}…`;
      }
    } catch (error) {
      testMoreState.value = `failed after ${replies(count)}`;
      throw error;
    }
    testMoreState.value = `done: ${replies(count)}`;
    testMoreState.dataset.done = "true";
  });
});
