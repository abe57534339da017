/**
 * The interface files the golden, type-check and end-to-end tests generate from, and where the
 * committed expected output lives.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { GenerateOptions } from "@varlink-ts/codegen";
import { REPO_ROOT } from "@varlink-ts/test-kit/fixtures";

export { REPO_ROOT };

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

/**
 * The options the golden output is generated with, beyond the defaults: what some fixtures need
 * to show what they are for. `bigint` selectors name their interface, so one set of options
 * serves every fixture and leaves the others as the defaults make them.
 */
export const FIXTURE_OPTIONS = {
  // org.example.bigint: a type's fields (an int, an array, a map, an anonymous struct as a
  // whole), a method's field in its parameters and its result, an array parameter, a field
  // inside an anonymous struct of a result, and an error's field.
  bigint: [
    "org.example.bigint.Limit.max",
    "org.example.bigint.Limit.history",
    "org.example.bigint.Limit.per_user",
    "org.example.bigint.Limit.window",
    "org.example.bigint.Add.total",
    "org.example.bigint.Add.values",
    "org.example.bigint.Get.usage.bytes",
    "org.example.bigint.Exceeded.limit",
  ],
} as const satisfies GenerateOptions;
