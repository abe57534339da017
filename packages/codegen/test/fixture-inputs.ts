/**
 * The interface files the golden, type-check and end-to-end tests generate from, and where the
 * committed expected output lives.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Where the committed expected output lives. */
export const GOLDEN_DIR = join(REPO_ROOT, "fixtures", "generated");

/** Folders whose `.varlink` files are all valid inputs (fixtures/idl holds invalid ones). */
const INPUT_DIRS = ["fixtures/interop", "fixtures/codegen"];

/** Every input as `generate` takes it, with its path relative to the repository root. */
export function fixtureInputs(): Array<{ path: string; source: string }> {
  return INPUT_DIRS.flatMap((dir) =>
    readdirSync(join(REPO_ROOT, dir))
      .filter((name) => name.endsWith(".varlink"))
      .sort()
      .map((name) => {
        const file = join(REPO_ROOT, dir, name);
        return { path: relative(REPO_ROOT, file), source: readFileSync(file, "utf8") };
      }),
  );
}
