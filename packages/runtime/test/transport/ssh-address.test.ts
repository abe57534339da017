/**
 * `ssh-unix:` and `ssh-exec:` addresses: how they parse and format, the command lines that reach
 * ssh (systemd's, from sd-varlink.c), and calls through them. A fake `ssh` first on PATH records
 * its arguments and does locally what ssh would do remotely: `-W PATH` connects its stdin and
 * stdout to the unix socket, a remote command runs with /bin/sh. Needs `npx tsc -b` first (the
 * ssh-exec service runs on the built runtime).
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  connect,
  Connection,
  ConnectionError,
  ProtocolError,
  VarlinkService,
} from "@varlink-ts/runtime";
import type { JsonObject } from "@varlink-ts/runtime";
import {
  formatAddress,
  openStream,
  parseAddress,
  resolve,
} from "@varlink-ts/runtime/transport";
import type { Address, Listener } from "@varlink-ts/runtime/transport";
import { outcome, processExists, Sandbox } from "@varlink-ts/test-kit";

const RUNTIME_DIST = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

const SSH_IDL = `interface org.example.ssh

method Ping(ping: string) -> (pong: string, listen: ?string)
method Count(n: int) -> (i: int)
`;

/** The handlers of org.example.ssh, as source, so the ssh-exec service can run the same ones. */
const HANDLERS_SOURCE = `{
  Ping: ({ ping }) => ({ pong: ping, ...(process.env.SYSTEMD_VARLINK_LISTEN === undefined ? {} : { listen: process.env.SYSTEMD_VARLINK_LISTEN }) }),
  Count: ({ n }, context) => (async function* () { for (let i = 1; i <= n; i += 1) yield { i }; })(),
}`;

/**
 * The fake ssh: one JSON line per run in LOG, then what ssh would do. Host "unreachable.invalid"
 * fails as ssh does (status 255). SIGTERM is passed on to the remote command, as sshd's hang-up
 * would end it.
 */
function fakeSsh(log: string): string {
  return `#!${process.execPath}
const { appendFileSync } = require("node:fs");
const { connect } = require("node:net");
const { spawn } = require("node:child_process");
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ pid: process.pid, args }) + "\\n");
const fail = (message) => { process.stderr.write("ssh: " + message + "\\n"); process.exit(255); };
if (args[0] === "-W") {
  if (args[2] === "unreachable.invalid") fail("Could not resolve hostname unreachable.invalid");
  const socket = connect(args[1]);
  socket.on("error", (error) => fail("channel 0: open failed: " + error.message));
  socket.on("connect", () => { process.stdin.pipe(socket); socket.pipe(process.stdout); });
  socket.on("close", () => process.exit(0));
} else {
  if (args[3] === "unreachable.invalid") fail("Could not resolve hostname unreachable.invalid");
  // sshd joins the remote words with spaces and gives them to the user's shell.
  const child = spawn("/bin/sh", ["-c", args.slice(4).join(" ")], { stdio: "inherit" });
  process.on("SIGTERM", () => { child.kill("SIGTERM"); process.exit(143); });
  child.on("exit", (code) => process.exit(code ?? 255));
}
`;
}

/** A service of org.example.ssh on stdin and stdout, on the built runtime (the ssh-exec side). */
function stdioService(log: string): string {
  return `import { appendFileSync } from "node:fs";
import { Duplex } from "node:stream";
import { VarlinkService } from ${JSON.stringify(RUNTIME_DIST)};
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ pid: process.pid, remote: process.argv.slice(2) }) + "\\n");
const service = new VarlinkService({ vendor: "tests", product: "stdio", version: "1", url: "https://example.org" }, { logger: () => undefined });
service.addInterface(${JSON.stringify(SSH_IDL)}, ${HANDLERS_SOURCE});
service.serve(Duplex.from({ readable: process.stdin, writable: process.stdout }));
process.stdin.on("end", () => void service.close({ grace: 0 }).then(() => process.exit(0)));
`;
}

const sandbox = new Sandbox();
const clients: Connection[] = [];
const services: VarlinkService[] = [];
const savedEnv = { PATH: process.env["PATH"], SYSTEMD_SSH: process.env["SYSTEMD_SSH"] };
let dir: string;
let log: string;
/** The directory of the fake ssh, first on PATH. */
let bin: string;

beforeEach(async () => {
  dir = await sandbox.tempDir();
  log = join(dir, "ssh.log");
  bin = join(dir, "bin");
  await writeExecutable(join(bin, "ssh"), fakeSsh(log));
  process.env["PATH"] = `${bin}:${savedEnv.PATH ?? ""}`;
  delete process.env["SYSTEMD_SSH"];
});

afterEach(async () => {
  // The log is in the directory that release() removes: read who ran first.
  const started = await logged();
  for (const client of clients.splice(0)) client.close();
  for (const service of services.splice(0)) await service.close({ grace: 0 });
  await sandbox.cleanup();
  // Whatever the fake ssh and its remote commands left running is killed.
  for (const entry of started) {
    if (processExists(entry.pid)) process.kill(entry.pid, "SIGKILL");
  }
  restoreEnv("PATH", savedEnv.PATH);
  restoreEnv("SYSTEMD_SSH", savedEnv.SYSTEMD_SSH);
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

async function writeExecutable(path: string, text: string): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, text);
  await chmod(path, 0o755);
}

interface LogEntry {
  pid: number;
  args?: string[];
  remote?: string[];
}

async function logged(): Promise<LogEntry[]> {
  if (!existsSync(log)) return [];
  const text = await readFile(log, "utf8");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as LogEntry);
}

/** The arguments each run of the fake ssh got, in order. */
async function sshRuns(): Promise<string[][]> {
  return (await logged()).flatMap((entry) => (entry.args === undefined ? [] : [entry.args]));
}

/** org.example.ssh listening on a unix socket in the test directory; resolves with its path. */
async function socketService(): Promise<string> {
  const service = new VarlinkService(
    { vendor: "tests", product: "socket", version: "1", url: "https://example.org" },
    { logger: () => undefined },
  );
  services.push(service);
  const handlers = {
    Ping: ({ ping }: JsonObject) => ({ pong: ping as string }),
    Count: ({ n }: JsonObject) =>
      (async function* () {
        for (let i = 1; i <= (n as number); i += 1) yield { i };
      })(),
  };
  service.addInterface(SSH_IDL, handlers);
  const path = join(dir, "service.sock");
  await service.listen(`unix:${path}`);
  return path;
}

/** The remote command of the ssh-exec tests: the stdio service, with two words to pass on. */
async function stdioCommand(): Promise<string> {
  const script = join(dir, "stdio-service.mjs");
  await writeFile(script, stdioService(log));
  return `${process.execPath} ${script} --flag "two words"`;
}

function track(client: Connection): Connection {
  clients.push(client);
  return client;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error as Error,
  );
}

async function collect(replies: AsyncIterable<JsonObject>): Promise<JsonObject[]> {
  const values: JsonObject[] = [];
  for await (const reply of replies) values.push(reply);
  return values;
}

describe("ssh addresses as strings", () => {
  it.each<[string, Address]>([
    ["ssh-unix:host:/run/x", { kind: "ssh-unix", host: "host", path: "/run/x" }],
    // The host ends at the first colon; the path may hold more.
    ["ssh-unix:me@host:/run/a:b", { kind: "ssh-unix", host: "me@host", path: "/run/a:b" }],
    ["ssh-unix:h:/run//./x/", { kind: "ssh-unix", host: "h", path: "/run//./x/" }],
    [
      "ssh-exec:host:/usr/libexec/svc",
      { kind: "ssh-exec", host: "host", command: "/usr/libexec/svc", args: [] },
    ],
    [
      `ssh-exec:h:  cmd "a b" 'c "d"' e\\x41\\sf "\\u00e9" ""`,
      { kind: "ssh-exec", host: "h", command: "cmd", args: ["a b", 'c "d"', "eA f", "é", ""] },
    ],
    [
      "ssh-exec:h:cmd \\xc3\\xa9 \\303\\251",
      { kind: "ssh-exec", host: "h", command: "cmd", args: ["é", "é"] },
    ],
  ])("parses %s", (text, expected) => {
    expect(parseAddress(text)).toStrictEqual(expected);
  });

  it.each<[string, RegExp]>([
    ["ssh-unix:host", /missing the ":" after the host/],
    // systemd v256's name of ssh-unix:, which systemd still reads, is not taken.
    ["ssh:host:/run/x", /unsupported kind "ssh"/],
    ["ssh-unix::/run/x", /ssh host is empty/],
    ["ssh-unix:-oProxyCommand=x:/run/x", /starts with "-"/],
    ["ssh-unix:host:run/x", /"run\/x" is not absolute/],
    ["ssh-unix:host:/run/../x", /contains "\.\."/],
    ["ssh-unix:host:/run/x;mode=0666", /take no ";", "\?" or "#"/],
    ["ssh-unix:host:/run/x?a", /take no ";"/],
    ["ssh-exec:host:cmd #x", /take no ";"/],
    ["ssh-exec:host:", /remote command line is empty/],
    ["ssh-exec:host:   ", /remote command line is empty/],
    ["ssh-exec:host:cmd 'open", /unclosed '/],
    ["ssh-exec:host:cmd \\q", /invalid escape/],
    ["ssh-exec:host:cmd \\x00", /invalid escape/],
    ["ssh-exec:host:cmd end\\", /invalid escape/],
    ["ssh-exec:host:cmd \\xff", /not UTF-8/],
  ])("rejects %j", (text, problem) => {
    expect(() => parseAddress(text)).toThrow(TypeError);
    expect(() => parseAddress(text)).toThrow(problem);
  });

  it.each<[Address, string]>([
    [{ kind: "ssh-unix", host: "me@host", path: "/run/x" }, "ssh-unix:me@host:/run/x"],
    [{ kind: "ssh-exec", host: "h", command: "svc", args: [] }, "ssh-exec:h:svc"],
    [
      { kind: "ssh-exec", host: "h", command: "sh", args: ["-c", 'echo "hi"; exit', "a\\b", ""] },
      'ssh-exec:h:sh -c "echo \\"hi\\"\\x3b exit" "a\\\\b" ""',
    ],
  ])("formats %j", (address, expected) => {
    expect(formatAddress(address)).toBe(expected);
  });

  it("formats every ssh-exec command line so that it parses back to the same words", () => {
    const word = fc.string({ unit: "grapheme", maxLength: 12 }).filter((text) => !text.includes("\0"));
    const address = fc.record({
      kind: fc.constant("ssh-exec" as const),
      host: fc.stringMatching(/^[a-z][a-z0-9.@-]{0,15}$/),
      command: word.filter((text) => text !== ""),
      args: fc.array(word, { maxLength: 4 }),
    });
    fc.assert(
      fc.property(address, (value) => {
        const text = formatAddress(value);
        expect(text).not.toMatch(/[;?#]/);
        expect(parseAddress(text)).toStrictEqual({ ...value });
      }),
    );
  });

  it("refuses objects that cannot be written", () => {
    expect(() => formatAddress({ kind: "ssh-unix", host: "h", path: "/run/a;b" })).toThrow(TypeError);
    expect(() => formatAddress({ kind: "ssh-unix", host: "h:1", path: "/run/x" })).toThrow(TypeError);
  });
});

describe("ssh-unix: addresses", () => {
  it("run `ssh -W PATH HOST` (systemd's command line) and carry calls and more replies", async () => {
    const path = await socketService();
    const client = track(await connect(`ssh-unix:tester@remote.example:${path}`));
    expect(await client.call("org.example.ssh.Ping", { ping: "over ssh" })).toEqual({
      pong: "over ssh",
    });
    expect(await collect(client.callMore("org.example.ssh.Count", { n: 3 }))).toEqual([
      { i: 1 },
      { i: 2 },
      { i: 3 },
    ]);
    expect(await sshRuns()).toEqual([["-W", path, "tester@remote.example"]]);
  });

  it("simplify the path as systemd does before passing it to ssh", async () => {
    const path = await socketService();
    const crooked = path.replace(/\/([^/]+)$/, "//./$1/");
    const client = track(await connect(`ssh-unix:host:${crooked}`));
    expect(await client.call("org.example.ssh.Ping", { ping: "x" })).toEqual({ pong: "x" });
    expect(await sshRuns()).toEqual([["-W", path, "host"]]);
  });

  it("run $SYSTEMD_SSH instead of ssh from PATH when it is set", async () => {
    const path = await socketService();
    const other = join(dir, "elsewhere", "my-ssh");
    await writeExecutable(other, fakeSsh(log));
    process.env["PATH"] = join(dir, "empty");
    process.env["SYSTEMD_SSH"] = other;
    const client = track(await connect({ kind: "ssh-unix", host: "host", path }));
    expect(await client.call("org.example.ssh.Ping", { ping: "x" })).toEqual({ pong: "x" });
    expect(await sshRuns()).toEqual([["-W", path, "host"]]);
  });

  it("fail with ssh's exit status when ssh gives up", async () => {
    const expected = `ssh-unix:unreachable.invalid:/run/x: ${join(bin, "ssh")} exited with status 255 and closed the connection`;
    const stream = sandbox.track(await openStream("ssh-unix:unreachable.invalid:/run/x"));
    const ended = await outcome(stream);
    expect(ended).toBeInstanceOf(ConnectionError);
    expect((ended as ConnectionError).code).toBe("closed");
    expect(ended?.message).toBe(expected);
    // A connection reports its stream's failure as "io", quoting it.
    const client = track(await connect("ssh-unix:unreachable.invalid:/run/x"));
    const error = await failure(client.call("org.example.ssh.Ping", { ping: "x" }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("io");
    expect(error.message).toBe(`connection failed: ${expected}`);
  });

  it("stop ssh when the stream is destroyed", async () => {
    const path = await socketService();
    const stream = sandbox.track(await openStream(`ssh-unix:host:${path}`));
    const client = Connection.fromStream(stream);
    expect(await client.call("org.example.ssh.Ping", { ping: "x" })).toEqual({ pong: "x" });
    const [run] = await logged();
    expect(processExists(run!.pid)).toBe(true);
    stream.destroy();
    await new Promise((settle) => stream.once("close", settle));
    expect(processExists(run!.pid)).toBe(false);
  });
});

describe("ssh-exec: addresses", () => {
  it("run `ssh -e none -T HOST env SYSTEMD_VARLINK_LISTEN=- CMD...` and talk over its stdio", async () => {
    const command = await stdioCommand();
    const client = track(await connect(`ssh-exec:remote.example:${command}`));
    expect(await client.call("org.example.ssh.Ping", { ping: "exec" })).toEqual({
      pong: "exec",
      listen: "-",
    });
    expect(await collect(client.callMore("org.example.ssh.Count", { n: 2 }))).toEqual([
      { i: 1 },
      { i: 2 },
    ]);
    const script = join(dir, "stdio-service.mjs");
    expect(await sshRuns()).toEqual([
      [
        "-e",
        "none",
        "-T",
        "remote.example",
        "env",
        "SYSTEMD_VARLINK_LISTEN=-",
        process.execPath,
        script,
        "--flag",
        "two words",
      ],
    ]);
    // As with systemd, quotes keep a word whole only up to ssh: the remote shell splits it again.
    const remote = (await logged()).find((entry) => entry.remote !== undefined);
    expect(remote?.remote).toEqual(["--flag", "two", "words"]);
  });

  it("fail with ssh's exit status when ssh gives up", async () => {
    const stream = sandbox.track(await openStream("ssh-exec:unreachable.invalid:varlink bridge"));
    const ended = await outcome(stream);
    expect(ended).toBeInstanceOf(ConnectionError);
    expect((ended as ConnectionError).code).toBe("closed");
    expect(ended?.message).toBe(
      `ssh-exec:unreachable.invalid:varlink bridge: ${join(bin, "ssh")} exited with status 255 and closed the connection`,
    );
  });
});

describe("without ssh", () => {
  it("fail with not-found and say what is missing", async () => {
    process.env["PATH"] = join(dir, "empty");
    const error = await failure(connect("ssh-unix:host:/run/x"));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("not-found");
    expect(error.message).toBe(
      "cannot start ssh-unix:host:/run/x: ssh was not found in PATH " +
        "(ssh-unix: addresses need OpenSSH's ssh client; $SYSTEMD_SSH may name it)",
    );
  });

  it("fail with not-found when $SYSTEMD_SSH names nothing, or is empty", async () => {
    process.env["SYSTEMD_SSH"] = join(dir, "no-such-ssh");
    const missing = await failure(connect("ssh-exec:host:svc"));
    expect((missing as ConnectionError).code).toBe("not-found");
    expect(missing.message).toBe(
      `cannot start ssh-exec:host:svc: ${join(dir, "no-such-ssh")} does not exist (it is named by $SYSTEMD_SSH)`,
    );
    process.env["SYSTEMD_SSH"] = "";
    const empty = await failure(connect("ssh-exec:host:svc"));
    expect((empty as ConnectionError).code).toBe("not-found");
    expect(empty.message).toBe("cannot start ssh-exec:host:svc: $SYSTEMD_SSH is set but empty");
    expect(await sshRuns()).toEqual([]);
  });
});

describe("a resolver's answer", () => {
  it.each(["ssh-unix:host:/run/org.example.ping", "ssh-exec:host:/usr/libexec/org.example.ping"])(
    "is refused when it is %s, and ssh never runs",
    async (answer) => {
      const resolver = new VarlinkService(
        { vendor: "tests", product: "resolver", version: "1", url: "https://example.org" },
        { logger: () => undefined },
      );
      services.push(resolver);
      resolver.addInterface(
        `interface org.varlink.resolver
method Resolve(interface: string) -> (address: string)
error InterfaceNotFound(interface: string)
`,
        { Resolve: () => ({ address: answer }) },
      );
      const listener: Listener = await resolver.listen(`unix:${join(dir, "resolver.sock")}`);
      const error = await failure(resolve("org.example.ping", { resolver: listener.address }));
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error.message).toBe(
        `the resolver answered ${JSON.stringify(answer)} for org.example.ping; ` +
          "only unix: and tcp: addresses are accepted from a resolver",
      );
      expect(await sshRuns()).toEqual([]);
    },
  );
});
