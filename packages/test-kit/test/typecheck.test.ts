/**
 * The whole workspace type-checks: sources, tests, examples, the bench and the soak programs
 * (tsconfig.check.json), so that CI fails on a type error in a test as on any other failure. It
 * runs here rather than before the suite so that the other worker keeps testing meanwhile; its
 * build info in node_modules/.cache makes a second run on unchanged files quick.
 */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");

it("type-checks every TypeScript file of the workspace under the strict settings", async () => {
  const result = await promisify(execFile)(process.execPath, [TSC, "-p", "tsconfig.check.json", "--pretty", "false"], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string; code?: number }) => error);
  expect(`${result.stdout ?? ""}${result.stderr ?? ""}`).toBe("");
  expect((result as { code?: number }).code ?? 0).toBe(0);
}, 120_000);
