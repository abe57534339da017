import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { copyInterfaces, RawServer, runBin, runMain, startBin, useGeneratedOnce, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox({ prefix: "varlink-codegen-" });
let dir: string;

const INTERFACES = ["org.example.more.varlink", "org.example.ping.varlink"];
/** The output of `varlink-codegen interfaces -o src/gen`, made once, for tests about later runs. */
const current = useGeneratedOnce(INTERFACES);

beforeEach(async () => {
  dir = sandbox.dir;
  await copyInterfaces(dir, INTERFACES);
});

/** The command's main in this process; the first test and those about signals run the built launcher. */
const codegen = (...args: string[]) => runMain("varlink-codegen", args, { cwd: dir });

describe("varlink-codegen", () => {
  it("generates one module per interface and an index, and prints a summary", async () => {
    const result = await runBin("varlink-codegen", ["interfaces/org.example.more.varlink", "interfaces/org.example.ping.varlink", "-o", "src/gen"], {
      cwd: dir,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^varlink-codegen: 2 interfaces from 2 files in \d+ ms → src\/gen \(3 written, 0 unchanged\)\n$/);
    expect((await readdir(path.join(dir, "src/gen"))).sort()).toEqual(["index.ts", "org.example.more.ts", "org.example.ping.ts"]);
    const more = await readFile(path.join(dir, "src/gen/org.example.more.ts"), "utf8");
    expect(more).toContain("DO NOT EDIT");
    expect(more).toContain("org.example.more");
  });

  it("writes only files whose content changed", async () => {
    await current.copyTo(dir);
    const file = path.join(dir, "src/gen/org.example.more.ts");
    const before = (await stat(file)).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await codegen("interfaces", "-o", "src/gen");
    expect(again.stdout).toContain("(0 written, 3 unchanged)");
    expect((await stat(file)).mtimeMs).toBe(before);
  });

  it("expands quoted globs itself and searches directories", async () => {
    const viaGlob = await codegen("interfaces/*.varlink", "-o", "a");
    expect(viaGlob.code).toBe(0);
    const viaDirectory = await codegen("interfaces", "-o", "b");
    expect(viaDirectory.code).toBe(0);
    expect(await readdir(path.join(dir, "a"))).toEqual(await readdir(path.join(dir, "b")));
    const none = await codegen("nothing/*.varlink", "-o", "c");
    expect(none.code).toBe(1);
    expect(none.stderr).toBe("error: nothing/*.varlink: no files match this pattern\n");
  });

  it("--check passes on current output and names stale, missing and extra files", async () => {
    await current.copyTo(dir);
    const clean = await codegen("interfaces", "-o", "src/gen", "--check");
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/3 files up to date/);

    const more = path.join(dir, "src/gen/org.example.more.ts");
    await writeFile(more, (await readFile(more, "utf8")).replace("Ping", "Pong"));
    await rm(path.join(dir, "src/gen/index.ts"));
    await rm(path.join(dir, "interfaces/org.example.ping.varlink"));
    const stale = await codegen("interfaces", "-o", "src/gen", "--check");
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("stale: src/gen/org.example.more.ts");
    expect(stale.stderr).toMatch(/- .*Pong/);
    expect(stale.stderr).toMatch(/\+ .*Ping/);
    expect(stale.stderr).toContain("missing: src/gen/index.ts");
    expect(stale.stderr).toContain("extra: src/gen/org.example.ping.ts");
    // --check never writes.
    expect(await readFile(more, "utf8")).toContain("Pong");

    const fixed = await codegen("interfaces", "-o", "src/gen");
    expect(fixed.stdout).toContain("1 removed");
    expect((await readdir(path.join(dir, "src/gen"))).sort()).toEqual(["index.ts", "org.example.more.ts"]);
  });

  it("reports an IDL error as FILE:LINE:COL with a code frame, and exits 1", async () => {
    await writeFile(path.join(dir, "interfaces/org.example.bad.varlink"), "interface org.example.bad\n\nmethod Foo(a: int -> ()\n");
    const result = await codegen("interfaces", "-o", "src/gen");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^interfaces\/org\.example\.bad\.varlink:3:\d+: .+\n/);
    expect(result.stderr).toContain("method Foo(a: int -> ()");
    expect(result.stderr).toContain("^");
    expect(result.stderr).not.toContain("\u001b[");
  });

  it("exits 2 on usage errors and 0 for --help and --version", async () => {
    expect((await codegen("interfaces")).code).toBe(2);
    expect((await codegen("interfaces", "-o", "x", "--emit", "clients")).code).toBe(2);
    expect((await codegen("interfaces", "-o", "x", "--bogus")).code).toBe(2);
    const help = await codegen("--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--check");
    const version = await codegen("--version");
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("takes options from the config file or package.json, with flags winning", async () => {
    await writeFile(
      path.join(dir, "package.json"),
      JSON.stringify({ name: "x", "varlink-codegen": { inputs: ["interfaces"], out: "from-package", emit: ["types"] } }),
    );
    expect((await codegen()).code).toBe(0);
    const typesOnly = await readFile(path.join(dir, "from-package/org.example.more.ts"), "utf8");
    expect(typesOnly).not.toContain("export type Client =");

    await writeFile(path.join(dir, "varlink-codegen.config.json"), JSON.stringify({ inputs: ["interfaces"], out: "from-config" }));
    expect((await codegen("-o", "from-flag")).code).toBe(0);
    expect(await readdir(dir)).toContain("from-flag");
    expect(await readdir(dir)).not.toContain("from-config");
    const full = await readFile(path.join(dir, "from-flag/org.example.more.ts"), "utf8");
    expect(full).toContain("export type Client =");

    await writeFile(path.join(dir, "varlink-codegen.config.json"), JSON.stringify({ outDir: "x" }));
    const bad = await codegen();
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown option "outDir"');
  });

  it("--bigint and the config's \"bigint\" make the selected int fields bigints", async () => {
    const viaFlag = await codegen(
      "interfaces",
      "-o",
      "flag",
      "--bigint",
      "org.example.more.TestMore.n",
      "--bigint",
      "org.example.more.State.progress",
    );
    expect(viaFlag.stderr).toBe("");
    expect(viaFlag.code).toBe(0);
    const more = await readFile(path.join(dir, "flag/org.example.more.ts"), "utf8");
    expect(more).toContain("progress?: bigint | null;");
    expect(more).toMatch(/export interface TestMoreParameters \{\n {2}n: bigint;/);
    expect(more).toContain('bigint: ["State.progress", "TestMore.n"],');
    expect(await readFile(path.join(dir, "flag/org.example.ping.ts"), "utf8")).not.toContain("bigint");

    await writeFile(
      path.join(dir, "varlink-codegen.config.json"),
      JSON.stringify({ inputs: ["interfaces"], out: "config", bigint: ["org.example.more"] }),
    );
    expect((await codegen()).code).toBe(0);
    const whole = await readFile(path.join(dir, "config/org.example.more.ts"), "utf8");
    expect(whole).toContain("progress?: bigint | null;");
    expect(whole).toContain("bigint: true,");
    // The flag replaces the config's list.
    expect((await codegen("-o", "both", "--bigint", "org.example.more.TestMore.n")).code).toBe(0);
    const both = await readFile(path.join(dir, "both/org.example.more.ts"), "utf8");
    expect(both).toContain("progress?: number | null;");
    expect(both).toContain('bigint: ["TestMore.n"],');

    // A selector that selects no int of the inputs fails the run and writes nothing.
    const typo = await codegen("interfaces", "-o", "typo", "--bigint", "org.example.more.State.progres");
    expect(typo.code).toBe(1);
    expect(typo.stderr).toBe('error: bigint selector "org.example.more.State.progres": State has no field progres\n');
    expect(await readdir(dir)).not.toContain("typo");
    const elsewhere = await codegen("interfaces", "-o", "typo", "--bigint", "org.example.other.X.y");
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('"org.example.other.X.y" names no interface among the inputs');
    // One that is not a selector at all is a usage error, from the flag or the config.
    expect((await codegen("interfaces", "-o", "typo", "--bigint", "org.example.more..n")).code).toBe(2);
    await writeFile(path.join(dir, "varlink-codegen.config.json"), JSON.stringify({ inputs: ["interfaces"], out: "x", bigint: "org.example.more" }));
    const bad = await codegen();
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"bigint" must be an array of selectors');
  });

  it("--watch regenerates on change and keeps running after an IDL error", async () => {
    const child = sandbox.track(startBin("varlink-codegen", ["interfaces", "-o", "src/gen", "--watch"], { cwd: dir }));
    const until = async (check: () => boolean): Promise<void> => {
      for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(check()).toBe(true);
    };
    await until(() => child.stdout().includes("3 written"));

    const file = path.join(dir, "interfaces/org.example.ping.varlink");
    const source = await readFile(file, "utf8");
    await writeFile(file, source.replace("interface org.example.ping", "interface org.example.ping\n\ntype Broken ("));
    await until(() => /org\.example\.ping\.varlink:\d+:\d+: /.test(child.stderr()));
    expect(child.process.exitCode).toBeNull();

    await writeFile(file, `${source}\n# Documented now\nerror Later ()\n`);
    await until(() => child.stdout().includes("1 written"));
    expect(await readFile(path.join(dir, "src/gen/org.example.ping.ts"), "utf8")).toContain("Later");

    // Interrupted, it stops watching and exits 0 rather than dying of the signal.
    child.process.kill("SIGINT");
    expect(await child.exited).toBe(0);
  });

  it("dies of SIGINT while it waits on a service that does not answer: only --watch takes the signal", async () => {
    const service = await RawServer.start(sandbox);
    const child = sandbox.track(startBin("varlink-codegen", [service.address, "-o", "src/gen"], { cwd: dir }));
    const ended = child.exited.then((how) => Promise.reject(new Error(`ended (${how}) before connecting: ${child.stderr()}`)));
    ended.catch(() => undefined);
    await Promise.race([service.accept(), ended]);
    child.process.kill("SIGINT");
    // Well before the service's 10 s deadline would end it with an error of its own.
    expect(await child.exited).toBe("SIGINT");
    expect(child.stderr()).toBe("");
  });
});
