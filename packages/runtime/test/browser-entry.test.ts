/**
 * The browser entry point: under the `browser` export condition `@varlink-ts/runtime` gives the
 * same names as in Node (VarlinkService as a type only), and a bundler building for the browser
 * reaches no `node:` module from it, nor from a generated module (which also imports /testing).
 * Bundled with esbuild, as a web page would be, from the built package.
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DIST = fileURLToPath(new URL("../dist/", import.meta.url));

function exportedNames(file: string): string[] {
  const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext });
  const checker = program.getTypeChecker();
  const symbol = checker.getSymbolAtLocation(program.getSourceFile(file)!);
  if (symbol === undefined) throw new Error(`${file} has no module symbol`);
  return checker.getExportsOfModule(symbol).map((exported) => exported.name).sort();
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
    expect(exportedNames(`${DIST}browser/index.d.ts`)).toEqual(exportedNames(`${DIST}index.d.ts`));
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
});
