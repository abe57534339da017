/**
 * The generated code compiles under the strictest settings a user is likely to have: the golden
 * output with the misuse proofs in types/misuse.ts, and the output of every `emit` choice (so
 * each imports exactly what it uses). tsc runs as a child process on a tsconfig written to a
 * temporary directory inside the package, so `@varlink-ts/runtime` resolves through
 * node_modules to the runtime's built declarations (`pnpm test` builds them first).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "@varlink-ts/codegen";
import type { EmitPart, GenerateOptions } from "@varlink-ts/codegen";
import { FIXTURE_OPTIONS, fixtureInputs, GOLDEN_DIR, REPO_ROOT } from "./fixture-inputs.js";

const run = promisify(execFile);
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const PACKAGE_DIR = join(REPO_ROOT, "packages", "codegen");
const RUNTIME_TYPES = join(REPO_ROOT, "packages", "runtime", "dist", "index.d.ts");

const STRICT = {
  target: "ES2022",
  lib: ["ES2023"],
  module: "NodeNext",
  moduleResolution: "NodeNext",
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  noImplicitOverride: true,
  noImplicitReturns: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noFallthroughCasesInSwitch: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  erasableSyntaxOnly: true,
  noEmit: true,
  skipLibCheck: true,
  types: ["node"],
};

/** Runs tsc on `tsconfig`; resolves with its output, empty when everything compiled. */
async function tsc(tsconfig: string): Promise<string> {
  try {
    await run(process.execPath, [TSC, "-p", tsconfig, "--pretty", "false"], { cwd: REPO_ROOT });
    return "";
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    return `${stdout}${stderr}`.trim() || String(error);
  }
}

/** misuse.ts in `loose`, importing a module whose every export is `any` instead of the generated code. */
async function writeLooseCopy(loose: string): Promise<void> {
  await mkdir(join(loose, "types"), { recursive: true });
  const misuse = await readFile(join(PACKAGE_DIR, "test", "types", "misuse.ts"), "utf8");
  await writeFile(join(loose, "types", "misuse.ts"), misuse.replace("../../../../fixtures/generated/index.js", "../loose.js"));
  await writeFile(
    join(loose, "loose.ts"),
    [
      "/* eslint-disable */",
      "type Loose = any;",
      "export declare const OrgExampleMore: Loose;",
      "export declare const OrgExampleBigint: Loose;",
      "export declare const OrgExampleModes: Loose;",
      "export declare const OrgExampleComplex: Loose;",
      "export declare const OrgExampleDocs: Loose;",
      "export declare const OrgVarlinkCertification: Loose;",
      "export declare namespace OrgExampleMore { type Client = any; type Handlers = any; type PingParameters = any; type PingResult = any; type TestMoreParameters = any; type TestMoreResult = any; }",
      "export declare namespace OrgExampleModes { type Client = any; }",
      "export declare namespace OrgExampleBigint { type Client = any; type Limit = any; }",
      "export declare namespace OrgExampleComplex { type Client = any; type TypeFoo = any; type ErrorFooParametersBar = any; }",
      "export declare namespace OrgVarlinkCertification { type Client = any; type MyType = any; }",
    ].join("\n"),
  );
}

/**
 * tsc's output as one entry per diagnostic: a line that names a file starts one, and the indented
 * lines of a chained message belong to it. Anything else tsc printed is an entry of its own.
 */
function diagnostics(output: string): string[] {
  const entries: string[] = [];
  for (const line of output.split("\n")) {
    if (line === "") continue;
    if (/^\s/.test(line) && entries.length > 0) entries[entries.length - 1] += `\n${line}`;
    else entries.push(line);
  }
  return entries;
}

describe("generated code type-checks under strict settings", () => {
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(RUNTIME_TYPES)) {
      throw new Error(`${RUNTIME_TYPES} is missing: run \`npx tsc -b\` in ${REPO_ROOT} first`);
    }
    dir = await mkdtemp(join(PACKAGE_DIR, ".typecheck-"));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /**
   * One tsc run for the golden output with the misuse proofs, for every emit choice's output and
   * for the misuse proofs against types that accept anything (each folder its own set of
   * modules): the tests below read its diagnostics, each those of its own files.
   */
  let strict: Promise<string[]> | undefined;
  const variants: Array<{ name: string; options: GenerateOptions }> = [
    ...(["types", "client", "server", "mock"] as EmitPart[]).map((part) => ({
      name: `emit-${part}`,
      options: { emit: [part] },
    })),
    { name: "emit-nothing", options: { emit: [] } },
    { name: "ts-extension", options: { importExtension: ".ts" } },
  ];
  const strictRun = (): Promise<string[]> =>
    (strict ??= (async () => {
      const inputs = fixtureInputs();
      for (const variant of variants) {
        const out = join(dir, variant.name);
        await mkdir(out, { recursive: true });
        for (const file of await generate(inputs, { ...FIXTURE_OPTIONS, ...variant.options })) {
          await writeFile(join(out, file.path), file.content);
        }
      }
      await writeLooseCopy(join(dir, "loose"));
      const tsconfig = join(dir, "strict.tsconfig.json");
      const golden = [join(GOLDEN_DIR, "*.ts"), join(PACKAGE_DIR, "test", "types", "misuse.ts")];
      await writeFile(
        tsconfig,
        JSON.stringify({
          // .ts import extensions are for the ts-extension variant; the rest imports with .js.
          compilerOptions: { ...STRICT, allowImportingTsExtensions: true },
          include: [
            ...golden.map((path) => relative(dir, path)),
            ...variants.map((variant) => `${variant.name}/*.ts`),
            "loose/**/*.ts",
          ],
        }),
      );
      return diagnostics(await tsc(tsconfig));
    })());

  it(
    "compiles the golden output and rejects every misuse in types/misuse.ts",
    { timeout: 120_000 },
    async () => {
      const golden = (await strictRun()).filter(
        (diagnostic) => diagnostic.startsWith("fixtures/generated/") || diagnostic.startsWith("packages/codegen/test/types/"),
      );
      expect(golden).toEqual([]);
      // The run allows .ts import extensions for the ts-extension variant: the default output
      // must not use them (plain strict settings would refuse them, TS5097).
      for (const file of await readdir(GOLDEN_DIR)) {
        expect(await readFile(join(GOLDEN_DIR, file), "utf8"), file).not.toMatch(/from "\.\.?\/[^"]*\.ts"/);
      }
    },
  );

  it("proves the misuse file can fail: without the generated types it does not compile", { timeout: 120_000 }, async () => {
    // The same file against a module whose types accept anything must report its expect-error
    // directives as unused, so a passing run above means the generated types did the rejecting.
    const loose = (await strictRun()).filter((diagnostic) => diagnostic.includes("/loose/"));
    expect(loose.join("\n")).toContain("Unused '@ts-expect-error' directive");
  });

  it("compiles the output of every emit choice and of .ts import extensions", async () => {
    // Anything at all but the loose copy's: nothing else is in the run.
    expect((await strictRun()).filter((diagnostic) => !diagnostic.includes("/loose/"))).toEqual([]);
  }, 120_000);
});
