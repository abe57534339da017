/**
 * The repository lints clean with Biome (biome.jsonc says which rules are off, and why), so that
 * CI, which runs the tests, fails on a lint error as on any other.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIOME = fileURLToPath(new URL("../../../node_modules/.bin/biome", import.meta.url));

it("passes biome lint, warnings included", async () => {
  const result = await promisify(execFile)(BIOME, ["lint", "--error-on-warnings", "--colors=off", "."], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string; code?: number }) => error);
  expect(result.stderr ?? "", result.stdout).not.toMatch(/Found \d+ (error|warning)/);
  expect((result as { code?: number }).code ?? 0).toBe(0);
});
