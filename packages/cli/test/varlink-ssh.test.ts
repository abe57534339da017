/**
 * `varlink` with systemd's `ssh-unix:HOST:PATH` and `ssh-exec:HOST:COMMAND` addresses. A fake
 * `ssh` first on PATH records its arguments and does locally what ssh would do remotely: `-W PATH`
 * connects its stdin and stdout to the unix socket, a remote command runs with /bin/sh (here
 * `varlink bridge`, as `ssh host varlink bridge` would). Needs `npx tsc -b` first.
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  assertBuilt,
  MORE_SERVICE,
  RESOLVER_SERVICE,
  runBin,
  type RunResult,
  type StartedService,
  startService,
  useSandbox,
  VARLINK_BIN,
} from "@varlink-ts/test-kit";

/** The fake ssh: one JSON line per run in LOG, then what ssh would do on the remote host. */
function fakeSsh(log: string): string {
  return `#!${process.execPath}
const { appendFileSync } = require("node:fs");
const { connect } = require("node:net");
const { spawn } = require("node:child_process");
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(log)}, JSON.stringify({ pid: process.pid, args }) + "\\n");
if (args[0] === "-W") {
  const socket = connect(args[1]);
  socket.on("error", (error) => { process.stderr.write("ssh: " + error.message + "\\n"); process.exit(255); });
  socket.on("connect", () => { process.stdin.pipe(socket); socket.pipe(process.stdout); });
  socket.on("close", () => process.exit(0));
} else {
  // sshd joins the remote words with spaces and gives them to the user's shell.
  const child = spawn("/bin/sh", ["-c", args.slice(4).join(" ")], { stdio: "inherit" });
  process.on("SIGTERM", () => { child.kill("SIGTERM"); process.exit(143); });
  child.on("exit", (code) => process.exit(code ?? 255));
}
`;
}

const sandbox = useSandbox({ prefix: "varlink-cmd-" });
let log: string;
/** PATH with the fake ssh first. */
let path: string;

beforeAll(assertBuilt);
beforeEach(async () => {
  log = join(sandbox.dir, "ssh.log");
  const bin = join(sandbox.dir, "bin");
  await mkdir(bin);
  await writeFile(join(bin, "ssh"), fakeSsh(log));
  await chmod(join(bin, "ssh"), 0o755);
  path = `${bin}:${process.env["PATH"] ?? ""}`;
});
afterEach(async () => {
  // Any ssh still running (a run cut short) is killed before its directory goes.
  for (const { pid } of await logged()) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
});

async function logged(): Promise<{ pid: number; args: string[] }[]> {
  if (!existsSync(log)) return [];
  return (await readFile(log, "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { pid: number; args: string[] });
}

async function sshRuns(): Promise<string[][]> {
  return (await logged()).map((entry) => entry.args);
}

/** Runs `varlink args` with the fake ssh first on PATH and no $SYSTEMD_SSH. */
function varlink(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return runBin("varlink", args, { cwd: sandbox.dir, env: { PATH: path, SYSTEMD_SSH: undefined, ...env } });
}

describe("varlink with ssh-unix: addresses", () => {
  let service: StartedService;
  let socket: string;

  beforeEach(async () => {
    socket = join(sandbox.dir, "more.sock");
    service = await startService(sandbox, MORE_SERVICE, [`--varlink=unix:${socket}`]);
  });

  it("calls ADDRESS/INTERFACE.METHOD through `ssh -W PATH HOST`", async () => {
    const result = await varlink(["call", `ssh-unix:tester@remote:${socket}/org.example.more.Ping`, '{"ping": "hi"}']);
    expect(result).toEqual({ code: 0, stdout: '{"pong":"hi"}\n', stderr: "" });
    expect(await sshRuns()).toEqual([["-W", socket, "tester@remote"]]);
    expect(service.received()).toContainEqual({ method: "org.example.more.Ping", parameters: { ping: "hi" } });
  });

  it("calls ADDRESS INTERFACE.METHOD with --more", async () => {
    const result = await varlink(["call", "--more", `ssh-unix:remote:${socket}`, "org.example.more.TestMore", '{"n": 1}']);
    expect(result).toEqual({
      code: 0,
      stdout: '{"state":{"start":true}}\n{"state":{"progress":100}}\n{"state":{"end":true}}\n',
      stderr: "",
    });
    expect(await sshRuns()).toEqual([["-W", socket, "remote"]]);
  });

  it("introspects ADDRESS INTERFACE, the remote path taken whole", async () => {
    const result = await varlink(["introspect", `ssh-unix:remote:${socket}`, "org.example.more"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("interface org.example.more");
    expect(await sshRuns()).toEqual([["-W", socket, "remote"]]);
  });

  it("runs $SYSTEMD_SSH when it is set", async () => {
    const result = await varlink(["info", "--json", `ssh-unix:remote:${socket}`], {
      PATH: join(sandbox.dir, "empty"),
      SYSTEMD_SSH: join(sandbox.dir, "bin", "ssh"),
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ product: "more-service" });
    expect(await sshRuns()).toEqual([["-W", socket, "remote"]]);
  });

  it("exits 3 and says so when there is no ssh", async () => {
    const address = `ssh-unix:remote:${socket}`;
    const result = await varlink(["call", `${address}/org.example.more.Ping`, "{}"], { PATH: join(sandbox.dir, "empty") });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `varlink: cannot start ${address}: ssh was not found in PATH ` +
        "(ssh-unix: addresses need OpenSSH's ssh client; $SYSTEMD_SSH may name it)\n",
    );
    expect(service.received()).toEqual([]);
  });
});

describe("varlink with ssh-exec: addresses", () => {
  it("info runs `ssh -e none -T HOST env SYSTEMD_VARLINK_LISTEN=- COMMAND` and talks over its stdio", async () => {
    const more = await startService(sandbox, MORE_SERVICE, [`--varlink=unix:${join(sandbox.dir, "more.sock")}`]);
    const resolver = await startService(sandbox, RESOLVER_SERVICE, [
      `--varlink=unix:${join(sandbox.dir, "resolver.sock")}`,
      `org.example.more=${more.address}`,
    ]);
    const command = [process.execPath, VARLINK_BIN, "bridge", "--resolver", resolver.address];
    const result = await varlink(["info", "--json", `ssh-exec:remote:${command.join(" ")}`]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      product: "varlink bridge",
      interfaces: ["org.varlink.service", "org.example.more"],
    });
    expect(await sshRuns()).toEqual([["-e", "none", "-T", "remote", "env", "SYSTEMD_VARLINK_LISTEN=-", ...command]]);

    const call = await varlink([
      "call",
      `ssh-exec:remote:${command.join(" ")}/org.example.more.Ping`,
      '{"ping": "bridged"}',
    ]);
    expect(call).toEqual({ code: 0, stdout: '{"pong":"bridged"}\n', stderr: "" });
  });
});
