/**
 * The browser entry point: under the `browser` export condition `@varlink-ts/runtime` gives the
 * same names as in Node (VarlinkService as a type only), and a bundler building for the browser
 * reaches no `node:` module from it, nor from a generated module (which also imports /testing).
 * Bundled with esbuild, as a web page would be, from the built package.
 */
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { exportedNamesOfEach } from "@varlink-ts/test-kit/declarations";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RUNTIME = fileURLToPath(new URL("../", import.meta.url));
const DIST = fileURLToPath(new URL("../dist/", import.meta.url));


/** A browser app's use of a generated client, which must type-check. */
const APP = `import { ConnectionError, VarlinkError, type ConnectOptions, type VarlinkService } from "@varlink-ts/runtime";
import { OrgExamplePing } from "./gen/index.js";

export async function ping(url: string, options: ConnectOptions = {}): Promise<string> {
  const client = await OrgExamplePing.connect(url, options);
  try {
    const { pong } = await client.ping({ ping: "hi" });
    document.title = pong;
    return pong;
  } catch (error) {
    if (error instanceof OrgExamplePing.PingError || error instanceof VarlinkError) return error.error;
    if (error instanceof ConnectionError) return error.code;
    throw error;
  }
}

/** The type exists, for code shared with Node. */
export type Served = VarlinkService | undefined;
`;

/** What a browser build must refuse: a service needs Node. */
const SERVE = `import { VarlinkService } from "@varlink-ts/runtime";
export const service = new VarlinkService({ vendor: "x", product: "x", version: "1", url: "https://example.org" });
`;

/**
 * Type-checks `files` as a browser project does (the `browser` condition, the DOM library, no
 * Node types) against the built package, installed in node_modules; resolves with each file's
 * diagnostics and the declaration files read.
 */
async function checkBrowserProject(
  files: Record<string, string>,
  options: ts.CompilerOptions,
): Promise<{ diagnostics: Record<string, number[]>; read: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), "browser-ts-"));
  try {
    await mkdir(join(dir, "node_modules/@varlink-ts"), { recursive: true });
    await symlink(RUNTIME, join(dir, "node_modules/@varlink-ts/runtime"), "dir");
    await mkdir(join(dir, "gen"));
    for (const name of ["index.ts", "org.example.ping.ts"]) {
      await copyFile(join(ROOT, "fixtures/generated", name === "index.ts" ? "org.example.ping.ts" : name), join(dir, "gen", name));
    }
    // The generated index re-exports every fixture; this project has one.
    await writeFile(join(dir, "gen/index.ts"), 'export * as OrgExamplePing from "./org.example.ping.js";\n');
    const roots = Object.keys(files).map((name) => join(dir, name));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    const program = ts.createProgram(roots, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      customConditions: ["browser"],
      lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"],
      types: [],
      strict: true,
      noEmit: true,
      ...options,
    });
    const diagnostics: Record<string, number[]> = {};
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const file = diagnostic.file?.fileName ?? "(global)";
      const key = file.startsWith(dir) ? file.slice(dir.length + 1) : file;
      (diagnostics[key] ??= []).push(diagnostic.code);
    }
    return { diagnostics, read: program.getSourceFiles().map((file) => file.fileName) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Bundles `code` for the browser; resolves with the modules it read. */
async function bundleForBrowser(code: string): Promise<{ inputs: string[]; text: string }> {
  const result = await build({
    stdin: { contents: code, resolveDir: ROOT, loader: "ts" },
    bundle: true,
    platform: "browser",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  return { inputs: Object.keys(result.metafile.inputs), text: result.outputFiles[0]!.text };
}

describe("@varlink-ts/runtime in browsers", () => {
  it("exports the names of the Node entry point", () => {
    const [browser, node] = exportedNamesOfEach([`${DIST}browser/index.d.ts`, `${DIST}index.d.ts`]);
    expect(browser).toEqual(node);
  });

  it("bundles for the browser without any node: module or the ws package", async () => {
    const { inputs, text } = await bundleForBrowser(
      `import { connect, createClient, VarlinkError } from "@varlink-ts/runtime"; console.log(connect, createClient, VarlinkError);`,
    );
    expect(inputs.some((input) => input.includes("dist/browser/connect.js"))).toBe(true);
    expect(inputs.filter((input) => /^node:|[/\\]ws[/\\]|dist[/\\]server[/\\]/.test(input))).toEqual([]);
    expect(text).not.toMatch(/from\s*"node:|require\("node:/);
  });

  it("bundles a generated module, whose mock says it needs Node", async () => {
    const { inputs, text } = await bundleForBrowser(
      `import { OrgExampleMore } from "./fixtures/generated/index.js"; console.log(OrgExampleMore);`,
    );
    expect(inputs.some((input) => input.includes("dist/browser/testing.js"))).toBe(true);
    expect(inputs.filter((input) => /^node:|[/\\]ws[/\\]|dist[/\\]server[/\\]/.test(input))).toEqual([]);
    expect(text).toContain("createMock runs in Node.js only");
  });

  it("type-checks a browser TypeScript project against the browser declarations", async () => {
    const { diagnostics, read } = await checkBrowserProject({ "app.ts": APP, "serve.ts": SERVE }, { skipLibCheck: true });
    // The app compiles; `new VarlinkService` does not: it "cannot be used as a value because it
    // was exported using 'export type'" (TS1362).
    expect(diagnostics).toEqual({ "serve.ts": [1362] });
    const runtime = read.filter((file) => file.includes("/packages/runtime/dist/"));
    expect(runtime).toContain(`${DIST}browser/index.d.ts`);
    expect(runtime).toContain(`${DIST}browser/testing.d.ts`);
    expect(runtime).not.toContain(`${DIST}index.d.ts`);
  });

  it("type-checks it without skipLibCheck when @types/node is there", async () => {
    const { diagnostics } = await checkBrowserProject(
      { "app.ts": APP },
      { skipLibCheck: false, types: ["node"], typeRoots: [join(ROOT, "node_modules/@types")] },
    );
    expect(diagnostics).toEqual({});
  });
});
