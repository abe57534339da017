/**
 * varlink-codegen on output that is already current: it neither generates nor loads ts-morph or
 * prettier, yet still notices a changed interface, a changed option or a hand-edited file. And
 * a run with several invalid files reports them all.
 */
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { copyInterfaces, runBin, runMain, useGeneratedOnce, useSandbox } from "@varlink-ts/test-kit";

/**
 * A module hook that appends the URL of every module loaded to $MODULE_LOG, in a process started
 * with `--import` of the registering file: the hook sees ESM and CommonJS entry points alike.
 */
const HOOKS = `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  appendFileSync(process.env.MODULE_LOG, url + "\\n");
  return next(url, context);
}
`;

const sandbox = useSandbox({ prefix: "varlink-codegen-current-" });
let dir: string;

const INTERFACES = ["org.example.more.varlink", "org.example.ping.varlink"];
/** The output of `varlink-codegen interfaces -o src/gen`, made once, for tests about later runs. */
const current = useGeneratedOnce(INTERFACES);

beforeEach(async () => {
  dir = sandbox.dir;
  await copyInterfaces(dir, INTERFACES);
  await writeFile(path.join(dir, "hooks.mjs"), HOOKS);
  await writeFile(
    path.join(dir, "register.mjs"),
    'import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n',
  );
});

const codegen = (...args: string[]) => runMain("varlink-codegen", args, { cwd: dir });

/** Runs the command, and returns its result and the modules it loaded. */
async function codegenLogged(...args: string[]) {
  const log = path.join(dir, `modules-${Math.random().toString(36).slice(2)}.log`);
  await writeFile(log, "");
  const register = pathToFileURL(path.join(dir, "register.mjs")).href;
  const result = await runBin("varlink-codegen", args, { cwd: dir, env: { NODE_OPTIONS: `--import=${register}`, MODULE_LOG: log } });
  const modules = (await readFile(log, "utf8")).split("\n").filter((url) => url !== "");
  return { ...result, modules };
}

const heavy = (modules: readonly string[]) => modules.filter((url) => /\/(ts-morph|prettier)\//.test(url));

describe("varlink-codegen on current output", () => {
  it("neither generates nor loads ts-morph or prettier, with --check or without", async () => {
    const first = await codegenLogged("interfaces", "-o", "src/gen");
    expect(first.stdout).toContain("(3 written, 0 unchanged)");
    // The hook sees them when they are needed: what follows is no blind spot.
    expect(heavy(first.modules)).not.toEqual([]);
    expect(first.modules.some((url) => url.includes("/codegen/dist/"))).toBe(true);

    const check = await codegenLogged("interfaces", "-o", "src/gen", "--check");
    expect(check.stderr).toBe("");
    expect(check.stdout).toMatch(/3 files up to date/);
    expect(check.modules.some((url) => url.includes("/codegen/dist/"))).toBe(true);
    expect(heavy(check.modules)).toEqual([]);

    const build = await codegenLogged("interfaces", "-o", "src/gen");
    expect(build.stdout).toContain("(0 written, 3 unchanged)");
    expect(heavy(build.modules)).toEqual([]);
  });

  it("regenerates only the module whose interface changed, and the index only when it must", async () => {
    await current.copyTo(dir);
    const more = path.join(dir, "src/gen/org.example.more.ts");
    const before = (await stat(more)).mtimeMs;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const ping = path.join(dir, "interfaces/org.example.ping.varlink");
    // A comment is part of the IDL text, which the module carries: it is stale.
    await writeFile(ping, `# Pings.\n${await readFile(ping, "utf8")}`);

    const check = await codegen("interfaces", "-o", "src/gen", "--check");
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("stale: src/gen/org.example.ping.ts");
    expect(check.stderr).not.toContain("org.example.more.ts");
    expect(check.stderr).not.toContain("index.ts");

    const build = await codegenLogged("interfaces", "-o", "src/gen");
    expect(build.stdout).toContain("(1 written, 2 unchanged)");
    expect(heavy(build.modules)).not.toEqual([]);
    expect((await stat(more)).mtimeMs).toBe(before);
    expect(await readFile(path.join(dir, "src/gen/org.example.ping.ts"), "utf8")).toContain("Pings.");
  });

  it("finds the files an option changes stale", async () => {
    await current.copyTo(dir);
    const stale = async (...flags: string[]): Promise<string[]> => {
      const result = await codegen("interfaces", "-o", "src/gen", "--check", ...flags);
      return [...result.stderr.matchAll(/^stale: src\/gen\/(\S+)$/gm)].map((match) => match[1]!);
    };
    expect(await stale("--runtime", "varlink-runtime")).toEqual(["org.example.more.ts", "org.example.ping.ts"]);
    expect(await stale("--emit", "types")).toEqual(["org.example.more.ts", "org.example.ping.ts"]);
    expect(await stale("--import-extension", ".ts")).toEqual(["index.ts"]);
    expect(await stale("--bigint", "org.example.more.TestMore.n")).toEqual(["org.example.more.ts"]);
    expect(await stale()).toEqual([]);
  });

  it("finds a hand-edited file stale, wherever the edit is, and a build puts it back", async () => {
    await current.copyTo(dir);
    const file = path.join(dir, "src/gen/org.example.ping.ts");
    const generated = await readFile(file, "utf8");
    const edits = [
      generated.replace("export interface", "// a note\nexport interface"),
      generated.replace("DO NOT EDIT", "EDIT AWAY"),
      generated.split("\n").filter((_line, index) => index !== 1).join("\n"),
      `${generated}\n`,
    ];
    for (const edited of edits) {
      await writeFile(file, edited);
      const check = await codegen("interfaces", "-o", "src/gen", "--check");
      expect(check.code).toBe(1);
      expect(check.stderr).toContain("stale: src/gen/org.example.ping.ts");
    }
    const build = await codegen("interfaces", "-o", "src/gen");
    expect(build.stdout).toContain("(1 written, 2 unchanged)");
    expect(await readFile(file, "utf8")).toBe(generated);
  });
});

describe("varlink-codegen with several invalid files", () => {
  it("reports every one, with its frame and a did-you-mean hint, and writes nothing", async () => {
    await writeFile(path.join(dir, "interfaces/org.example.a.varlink"), "interface org.example.a\n\nmethd Ping() -> ()\n");
    await writeFile(path.join(dir, "interfaces/org.example.b.varlink"), "interface org.example.b\n\ntype T (name: Strng)\n");
    await writeFile(path.join(dir, "interfaces/org.example.c.varlink"), "interfce org.example.c\n");
    const result = await codegen("interfaces", "-o", "src/gen");
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      [
        "interfaces/org.example.a.varlink:3:1: unknown keyword 'methd'; did you mean 'method'?",
        "methd Ping() -> ()",
        "^",
        "interfaces/org.example.b.varlink:3:15: unknown type 'Strng'; did you mean 'string'?",
        "type T (name: Strng)",
        "              ^",
        "interfaces/org.example.c.varlink:1:1: unknown keyword 'interfce'; did you mean 'interface'?",
        "interfce org.example.c",
        "^",
        "error: 3 interface definitions do not parse",
        "",
      ].join("\n"),
    );
    expect(await readdir(dir)).not.toContain("src");
    const check = await codegen("interfaces", "-o", "src/gen", "--check");
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("error: 3 interface definitions do not parse");
  });
});
