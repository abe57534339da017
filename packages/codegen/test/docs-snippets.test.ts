/**
 * Every ```ts block in docs/codegen.md is a complete program over code generated from
 * org.example.more into `gen/`: each is type-checked under strict settings with the generated
 * code, then compiled with TypeScript's transpiler and run as a separate process against the
 * built runtime, and what it prints is compared with the `// →` comments it carries.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "@varlink-ts/codegen";
import { REPO_ROOT } from "./fixture-inputs.js";

const run = promisify(execFile);
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const DOC = path.join(REPO_ROOT, "docs/codegen.md");
const IDL = path.join(REPO_ROOT, "fixtures/interop/org.example.more.varlink");

const source = await readFile(DOC, "utf8");
const snippets = [...source.matchAll(/```ts\n([\s\S]*?)```/g)].map((match, index) => ({
  index,
  code: match[1] ?? "",
  heading: [...source.slice(0, match.index).matchAll(/^## (.+)$/gm)].pop()?.[1] ?? "top",
}));

function transpile(code: string): string {
  const { outputText, diagnostics } = ts.transpileModule(code, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
    reportDiagnostics: true,
  });
  expect(diagnostics ?? []).toEqual([]);
  return outputText;
}

let dir: string;
beforeAll(async () => {
  // Inside the package, so that `@varlink-ts/runtime` resolves through its node_modules.
  dir = await mkdtemp(path.join(REPO_ROOT, "packages/codegen/.snippets-"));
  await mkdir(path.join(dir, "gen"));
  const files = await generate([{ path: IDL, source: await readFile(IDL, "utf8") }]);
  for (const file of files) {
    await writeFile(path.join(dir, "gen", file.path), file.content);
    await writeFile(
      path.join(dir, "gen", file.path.replace(/\.ts$/, ".js")),
      transpile(file.content),
    );
  }
  for (const { index, code } of snippets) {
    await writeFile(path.join(dir, `snippet-${index}.ts`), code);
    await writeFile(path.join(dir, `snippet-${index}.mjs`), transpile(code));
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("docs/codegen.md snippets", () => {
  it("has snippets to run", () => {
    expect(snippets.length).toBeGreaterThanOrEqual(3);
  });

  it("type-check with the generated code under strict settings", { timeout: 60_000 }, async () => {
    const tsconfig = path.join(dir, "tsconfig.json");
    await writeFile(
      tsconfig,
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          lib: ["ES2023"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          verbatimModuleSyntax: true,
          noEmit: true,
          skipLibCheck: true,
          types: ["node"],
        },
        include: ["*.ts", "gen/*.ts"],
      }),
    );
    const output = await run(process.execPath, [TSC, "-p", tsconfig, "--pretty", "false"]).then(
      () => "",
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(output).toBe("");
  });

  it.each(snippets)(
    'snippet $index (under "$heading") runs and prints what its comments say',
    async ({ index, code }) => {
      const file = path.join(dir, `snippet-${index}.mjs`);
      const { stdout } = await run(process.execPath, [file], { cwd: dir, timeout: 15_000 });
      // A `// → text` comment states what the line before it, or the line it ends, prints.
      const expected = [...code.matchAll(/\/\/ → (.+?)$/gm)].map((match) => match[1]);
      expect(expected.length).toBeGreaterThan(0);
      for (const line of expected) expect(stdout).toContain(line);
    },
  );
});
