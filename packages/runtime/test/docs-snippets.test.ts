/**
 * Every ```ts block in docs/runtime.md is a complete program: each is compiled with TypeScript's
 * transpiler and run as a separate process against the built runtime, and what it prints is
 * compared with the comments it carries. A block fenced ```ts no-run is code for a web page (it
 * imports a page's generated modules), which examples/web runs in Chromium instead.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const DOC = path.join(ROOT, "docs/runtime.md");

const source = await readFile(DOC, "utf8");
const snippets = [...source.matchAll(/```ts\n([\s\S]*?)```/g)].map((match, index) => ({
  index,
  code: match[1] ?? "",
  heading: [...source.slice(0, match.index).matchAll(/^## (.+)$/gm)].pop()?.[1] ?? "top",
}));

let dir: string;
beforeAll(async () => {
  // Inside the repository, so that `@varlink-ts/runtime` resolves through node_modules.
  dir = await mkdtemp(path.join(ROOT, "packages/runtime/.snippets-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("docs/runtime.md snippets", () => {
  it("has snippets to run", () => {
    expect(snippets.length).toBeGreaterThanOrEqual(5);
  });

  it.each(snippets)("snippet $index (under \"$heading\") runs and prints what its comments say", async ({ index, code }) => {
    const { outputText, diagnostics } = ts.transpileModule(code, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      reportDiagnostics: true,
    });
    expect(diagnostics ?? []).toEqual([]);
    const file = path.join(dir, `snippet-${index}.mjs`);
    await writeFile(file, outputText);
    const { stdout } = await run(process.execPath, [file], { cwd: dir, timeout: 15_000 });
    // A `// → text` comment states what the line before it, or the line it ends, prints.
    const expected = [...code.matchAll(/\/\/ → (.+?)(?: \(and nothing was sent\))?$/gm)].map((match) => match[1]);
    expect(expected.length).toBeGreaterThan(0);
    for (const line of expected) expect(stdout).toContain(line);
  });
});
