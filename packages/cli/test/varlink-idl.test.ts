/**
 * `varlink validate` and `varlink format` on files in a temporary directory: the command's main
 * in this process, and the built binary where a process matters (a terminal, another user).
 * Needs `npx tsc -b` first (`pnpm test` does it).
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assertBuilt, type RunResult, runMain, useSandbox, VARLINK_BIN } from "@varlink-ts/test-kit";

const fixtures = fileURLToPath(new URL("../../../fixtures/", import.meta.url));

const sandbox = useSandbox({ prefix: "varlink-idl-" });
let dir: string;

/** Runs `command args` in the temporary directory, feeding `input` to its stdin. */
function run(
  command: string,
  args: string[],
  input = "",
  env: NodeJS.ProcessEnv = {},
  user?: number,
): Promise<RunResult> {
  return sandbox.run(command, args, {
    input,
    env: { NO_COLOR: undefined, FORCE_COLOR: undefined, ...env },
    ...(user === undefined ? {} : { uid: user, gid: user }),
  });
}

/**
 * Runs `varlink`: its main in this process, or the built binary in a process of its own as `user`
 * when given (the terminal tests below run the binary too).
 */
function varlink(
  args: string[],
  input = "",
  env: NodeJS.ProcessEnv = {},
  user?: number,
): Promise<RunResult> {
  if (user === undefined) {
    return runMain("varlink", args, { cwd: sandbox.dir, input, env: { NO_COLOR: undefined, FORCE_COLOR: undefined, ...env } });
  }
  return run(nodeFor(), [VARLINK_BIN, ...args], input, env, user);
}

/**
 * A node another user can run: CI's Node 22 and 24 come from the registry's `node` package in
 * root's npx cache, which nobody else may enter; the system's node can.
 */
function nodeFor(): string {
  return existsSync("/usr/bin/node") ? "/usr/bin/node" : process.execPath;
}

const CANONICAL = "interface org.example.ok\n\nmethod Ping(ping: string) -> (pong: string)\n";
const UNFORMATTED = "interface  org.example.messy\nmethod Ping( ping : string )->( pong: string )";
const MESSY_FORMATTED =
  "interface org.example.messy\n\nmethod Ping(ping: string) -> (pong: string)\n";
const INVALID = "interface org.example.bad\n\ntype Point (\n\tx: float,\n\ty float\n)\n";

beforeAll(assertBuilt);

beforeEach(async () => {
  dir = sandbox.dir;
  await writeFile(join(dir, "ok.varlink"), CANONICAL);
  await writeFile(join(dir, "messy.varlink"), UNFORMATTED);
  await writeFile(join(dir, "bad.varlink"), INVALID);
});

describe("varlink validate", () => {
  it("exits 0 silently when every file is valid", async () => {
    const result = await varlink([
      "validate",
      "ok.varlink",
      "messy.varlink",
      join(fixtures, "interop/org.varlink.certification.varlink"),
    ]);
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("prints FILE:LINE:COL: reason and the code frame, and exits 1", async () => {
    const result = await varlink(["validate", "bad.varlink"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      "bad.varlink:5:4: expected ':' after field name\n\ty float\n\t  ^\n",
    );
  });

  it("reports every invalid file and stays silent about the valid ones", async () => {
    await writeFile(join(dir, "dup.varlink"), "interface a.b\ntype A ()\nerror A ()\n");
    const result = await varlink(["validate", "bad.varlink", "ok.varlink", "dup.varlink"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        "bad.varlink:5:4: expected ':' after field name",
        "\ty float",
        "\t  ^",
        "dup.varlink:3:1: duplicate member 'A' (first defined at 2:1)",
        "error A ()",
        "^",
        "",
      ].join("\n"),
    );
  });

  it("says in one line that a file cannot be read, and exits 1", async () => {
    const result = await varlink(["validate", "missing.varlink", "ok.varlink"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("varlink: cannot read missing.varlink: no such file or directory\n");
    await mkdir(join(dir, "folder"));
    const folder = await varlink(["validate", "folder"]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toBe("varlink: cannot read folder: is a directory\n");
  });

  it("reads standard input for '-'", async () => {
    expect((await varlink(["validate", "-"], CANONICAL)).code).toBe(0);
    const result = await varlink(["validate", "-"], "interface a.b\nmethod F() -> (x: Y)\n");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "<stdin>:2:19: unknown type 'Y'\nmethod F() -> (x: Y)\n                  ^\n",
    );
  });

  it("checks the whole fixture corpus", async () => {
    const valid = await varlink(["validate", join(fixtures, "idl/valid/org.example.docs.varlink")]);
    expect(valid.code).toBe(0);
    const invalid = await varlink([
      "validate",
      join(fixtures, "idl/invalid/duplicate-field.varlink"),
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain("duplicate-field.varlink:3:25: duplicate field 'key'");
  });
});

describe("varlink format", () => {
  it("prints the canonical form of each file to stdout", async () => {
    const result = await varlink(["format", "messy.varlink", "ok.varlink"]);
    expect(result).toEqual({ code: 0, stdout: MESSY_FORMATTED + CANONICAL, stderr: "" });
    expect(await readFile(join(dir, "messy.varlink"), "utf8")).toBe(UNFORMATTED);
  });

  it("prints the committed canonical form of the certification interface", async () => {
    const result = await varlink([
      "format",
      join(fixtures, "interop/org.varlink.certification.varlink"),
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      await readFile(join(fixtures, "idl/canonical/org.varlink.certification.varlink"), "utf8"),
    );
  });

  it("formats standard input for '-'", async () => {
    expect(await varlink(["format", "-"], UNFORMATTED)).toEqual({
      code: 0,
      stdout: MESSY_FORMATTED,
      stderr: "",
    });
  });

  it("reports a syntax error like validate and exits 1, still formatting the other files", async () => {
    const result = await varlink(["format", "bad.varlink", "ok.varlink"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(CANONICAL);
    expect(result.stderr).toBe(
      "bad.varlink:5:4: expected ':' after field name\n\ty float\n\t  ^\n",
    );
  });

  it("--write rewrites the files that change and leaves canonical ones alone", async () => {
    const past = new Date("2001-01-01T00:00:00Z");
    await utimes(join(dir, "ok.varlink"), past, past);
    const result = await varlink(["format", "--write", "messy.varlink", "ok.varlink"]);
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(await readFile(join(dir, "messy.varlink"), "utf8")).toBe(MESSY_FORMATTED);
    expect(await readFile(join(dir, "ok.varlink"), "utf8")).toBe(CANONICAL);
    expect((await stat(join(dir, "ok.varlink"))).mtime).toEqual(past);
  });

  it("--write leaves an invalid file untouched and exits 1", async () => {
    const result = await varlink(["format", "-w", "bad.varlink", "messy.varlink"]);
    expect(result.code).toBe(1);
    expect(await readFile(join(dir, "bad.varlink"), "utf8")).toBe(INVALID);
    expect(await readFile(join(dir, "messy.varlink"), "utf8")).toBe(MESSY_FORMATTED);
  });

  it("--write says in one line when a file cannot be written", async () => {
    await chmod(join(dir, "messy.varlink"), 0o444);
    // Root writes read-only files anyway, so as root the command runs as nobody.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      await chmod(dir, 0o755);
    }
    const result = await varlink(
      ["format", "--write", "messy.varlink"],
      "",
      {},
      asRoot ? 65534 : undefined,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("varlink: cannot write messy.varlink: permission denied\n");
    expect(await readFile(join(dir, "messy.varlink"), "utf8")).toBe(UNFORMATTED);
  });

  it("--check lists the files that are not canonical and exits 1", async () => {
    const result = await varlink(["format", "--check", "ok.varlink", "messy.varlink"]);
    expect(result).toEqual({ code: 1, stdout: "messy.varlink\n", stderr: "" });
    expect(await readFile(join(dir, "messy.varlink"), "utf8")).toBe(UNFORMATTED);
  });

  it("--check exits 0 silently when every file is canonical", async () => {
    const result = await varlink([
      "format",
      "-c",
      "ok.varlink",
      join(fixtures, "idl/canonical/org.example.wide.varlink"),
    ]);
    expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("--check reports an invalid file as an error", async () => {
    const result = await varlink(["format", "--check", "bad.varlink"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("bad.varlink:5:4: expected ':' after field name");
  });
});

describe("usage", () => {
  it.each([
    ["no command", []],
    ["an unknown command", ["frobnicate"]],
    ["an unknown option", ["format", "--bogus", "ok.varlink"]],
    ["no files to validate", ["validate"]],
    ["no files to format", ["format", "--check"]],
    ["--check with --write", ["format", "--check", "--write", "ok.varlink"]],
  ])("exits 2 on %s, explaining on stderr", async (_name, args) => {
    const result = await varlink(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).not.toBe("");
  });

  it("exits 2 on --write with standard input", async () => {
    const result = await varlink(["format", "--write", "-"], CANONICAL);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("varlink: --write cannot rewrite standard input\n");
  });

  it("--help lists the commands and exits 0", async () => {
    const result = await varlink(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: varlink /);
    expect(result.stdout).toContain("validate");
    expect(result.stdout).toContain("format");
    const format = await varlink(["format", "--help"]);
    expect(format.code).toBe(0);
    expect(format.stdout).toContain("--check");
    expect(format.stdout).toContain("--write");
  });

  it("--version prints the package's version", async () => {
    const manifest = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    expect(await varlink(["--version"])).toEqual({
      code: 0,
      stdout: `${manifest.version}\n`,
      stderr: "",
    });
  });
});

describe("colours", () => {
  const RED = "\u001b[31m";

  /** Runs varlink with stdout and stderr on a pseudo-terminal, through util-linux `script`. */
  function onTerminal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
    const command = [process.execPath, VARLINK_BIN, ...args].map((word) => `'${word}'`).join(" ");
    return run("script", ["-qec", command, "/dev/null"], "", env);
  }

  it("colours the error and the caret on a terminal", async () => {
    const result = await onTerminal(["validate", "bad.varlink"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${RED}expected ':' after field name`);
    expect(result.stdout).toMatch(/\u001b\[31m\^/);
  });

  it("does not colour with NO_COLOR set", async () => {
    const result = await onTerminal(["validate", "bad.varlink"], { NO_COLOR: "1" });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("bad.varlink:5:4: expected ':' after field name");
    expect(result.stdout).not.toContain("\u001b[");
  });

  it("does not colour when stderr is not a terminal", async () => {
    const result = await varlink(["validate", "bad.varlink"]);
    expect(result.stderr).not.toContain("\u001b[");
  });
});
