/**
 * What a user gets from the registry is what is tested: the workspace packages are packed, the
 * standalone project in examples/consumer installs the tarballs with npm, generates its code in
 * `prebuild`, compiles with tsc under strict settings and runs a generated client against a
 * generated server.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { checkPackage, createPackageFromTarballData } from "@arethetypeswrong/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PACKAGES = ["runtime", "codegen", "cli", "native"];

/** pnpm as the test was started with it (`pnpm test` sets npm_execpath), else through npx. */
function pnpm(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  const execPath = process.env["npm_execpath"];
  if (execPath?.includes("pnpm")) return run(process.execPath, [execPath, ...args], { cwd });
  return run("npx", ["--yes", "pnpm@10", ...args], { cwd });
}

let work: string;
let project: string;
let tarballs: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), "varlink-consumer-"));
  tarballs = path.join(work, "tarballs");
  // As the README's install section packs them: one pnpm run for every published package.
  await pnpm(["-r", "--filter", "./packages/*", "--filter", "!@varlink-ts/test-kit", "pack", "--pack-destination", tarballs], ROOT);
  const packed = await readdir(tarballs);
  const tarball = (prefix: string): string => {
    const file = packed.find((entry) => entry.startsWith(prefix));
    if (file === undefined) throw new Error(`no tarball for ${prefix} in ${packed.join(", ")}`);
    return `file:${path.join(tarballs, file)}`;
  };

  project = path.join(work, "consumer");
  await cp(path.join(ROOT, "examples/consumer"), project, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|dist|gen)$/.test(source),
  });
  // Point the dependencies at the tarballs; overrides make the packages' own dependencies on each
  // other resolve to the tarballs too, since nothing is published.
  const manifest = JSON.parse(await readFile(path.join(project, "package.json"), "utf8")) as Record<string, Record<string, string>>;
  const runtime = tarball("varlink-ts-runtime-");
  const codegen = tarball("varlink-ts-codegen-");
  const cli = tarball("varlink-codegen-");
  manifest["dependencies"] = { ...manifest["dependencies"], "@varlink-ts/runtime": runtime };
  manifest["devDependencies"] = { ...manifest["devDependencies"], "varlink-codegen": cli };
  // The optional addon too: the CLI lists it as an optional dependency, not on the registry yet.
  manifest["overrides"] = {
    "@varlink-ts/runtime": runtime,
    "@varlink-ts/codegen": codegen,
    "@varlink-ts/native": tarball("varlink-ts-native-"),
  };
  await writeFile(path.join(project, "package.json"), JSON.stringify(manifest, null, 2));
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: project });
}, 300_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** A tool from the workspace's node_modules/.bin, run on a tarball. */
function tool(name: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(path.join(ROOT, "node_modules/.bin", name), args, { cwd: ROOT });
}

describe("the packed packages, as the registry would get them", () => {
  it.each(PACKAGES)("%s: publint finds nothing, strict", async (name) => {
    const file = (await readdir(tarballs)).find((entry) => tarballName(name, entry));
    expect(file, `tarball of ${name}`).toBeDefined();
    const { stdout } = await tool("publint", ["run", path.join(tarballs, file!), "--strict"]);
    expect(stdout).toContain("All good!");
  });

  it.each(PACKAGES)("%s: are-the-types-wrong finds nothing for an ESM-only package", async (name) => {
    const file = (await readdir(tarballs)).find((entry) => tarballName(name, entry));
    // attw's own engine, in this process (its command line loads TypeScript again for every
    // tarball): the problems its `--profile esm-only` counts, which leaves out node10 and
    // CommonJS resolution, and every entry point's types found from ESM.
    const analysis = await checkPackage(createPackageFromTarballData(new Uint8Array(await readFile(path.join(tarballs, file!)))));
    if (!analysis.types) throw new Error(`${name} ships no types`);
    const counted = analysis.problems.filter((problem) => !("resolutionKind" in problem) || !ESM_ONLY_IGNORES.includes(problem.resolutionKind));
    expect(counted).toEqual([]);
    for (const [entry, { resolutions }] of Object.entries(analysis.entrypoints)) {
      if (entry === "./package.json") continue;
      expect(resolutions["node16-esm"].resolution?.isTypeScript, `${name} ${entry} from ESM`).toBe(true);
    }
  });

  it.each(PACKAGES)("%s: ships its README, LICENSE and repository metadata", async (name) => {
    const manifest = JSON.parse(await readFile(path.join(ROOT, "packages", name, "package.json"), "utf8")) as {
      repository?: { url?: string; directory?: string };
      homepage?: string;
      bugs?: { url?: string };
      license?: string;
    };
    expect(manifest.license).toBe("MIT");
    expect(manifest.repository?.directory).toBe(`packages/${name}`);
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.bugs?.url).toMatch(/^https:\/\//);
    const listing = await run("tar", ["-tzf", path.join(tarballs, (await readdir(tarballs)).find((entry) => tarballName(name, entry))!)]);
    expect(listing.stdout).toContain("package/LICENSE");
    expect(listing.stdout).toContain("package/README.md");
    // On the registry's page a relative link leads nowhere: every link in the README is absolute.
    const readme = await readFile(path.join(ROOT, "packages", name, "README.md"), "utf8");
    const relative = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((match) => match[1]!).filter((link) => !/^(https?:|#)/.test(link));
    expect(relative).toEqual([]);
  });
});

/** What attw's esm-only profile leaves out: resolution as node10 and as CommonJS under node16. */
const ESM_ONLY_IGNORES: readonly string[] = ["node10", "node16-cjs"];

/** Whether `file` is the tarball of the workspace package in packages/`name`. */
function tarballName(name: string, file: string): boolean {
  return file.startsWith(name === "cli" ? "varlink-codegen-" : `varlink-ts-${name}-`);
}

describe("examples/consumer installed from packed tarballs", () => {
  it("generates its code in prebuild, compiles under strict settings, and runs client against server", async () => {
    const build = await run("npm", ["run", "build"], { cwd: project });
    expect(build.stdout).toMatch(/varlink-codegen: 1 interface from 1 file/);
    expect((await readdir(path.join(project, "src/gen"))).sort()).toEqual(["index.ts", "org.example.greeter.ts"]);

    const start = await run("npm", ["start", "--silent"], { cwd: project });
    expect(start.stdout).toBe(
      ["Hello, world.", "HELLO, VARLINK!", "1", "2", "3", "EmptyName: the name was empty", "done"].join("\n") + "\n",
    );

    const check = await run("npm", ["run", "check:gen", "--silent"], { cwd: project });
    expect(check.stdout).toMatch(/files up to date/);
  }, 180_000);

  it("exposes only the packages' export maps: no deep imports into dist", async () => {
    const attempt = run("node", ["--input-type=module", "-e", 'await import("@varlink-ts/runtime/dist/errors.js")'], {
      cwd: project,
    });
    await expect(attempt).rejects.toMatchObject({ stderr: expect.stringContaining("ERR_PACKAGE_PATH_NOT_EXPORTED") });
  });
});
