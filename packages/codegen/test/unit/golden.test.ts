/**
 * Golden output: every valid fixture generates exactly the committed files in fixtures/generated,
 * with the options in FIXTURE_OPTIONS.
 * Run with UPDATE_GOLDEN=1 to rewrite them after an intended change, then review the diff.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { generate } from "@varlink-ts/codegen";
import type { GeneratedFile } from "@varlink-ts/codegen";
import { FIXTURE_OPTIONS, fixtureInputs, GOLDEN_DIR } from "../fixture-inputs.js";

const update = process.env["UPDATE_GOLDEN"] === "1";

describe("golden output in fixtures/generated", () => {
  const inputs = fixtureInputs();
  let files: GeneratedFile[] = [];

  beforeAll(async () => {
    files = await generate(inputs, FIXTURE_OPTIONS);
    if (update) {
      rmSync(GOLDEN_DIR, { recursive: true, force: true });
      mkdirSync(GOLDEN_DIR, { recursive: true });
      for (const file of files) writeFileSync(join(GOLDEN_DIR, file.path), file.content);
    }
  });

  it("generates one module per fixture, named after its interface, and an index", () => {
    const modules = inputs.map((input) => `${/^interface\s+(\S+)/m.exec(input.source)?.[1]}.ts`);
    expect(files.map((file) => file.path)).toEqual([...modules.sort(), "index.ts"]);
  });

  it("matches the committed files byte for byte, with no stale ones left", () => {
    const committed = readdirSync(GOLDEN_DIR).sort();
    expect(committed).toEqual(files.map((file) => file.path).sort());
    for (const file of files) {
      const expected = readFileSync(join(GOLDEN_DIR, file.path), "utf8");
      expect(file.content, `${file.path} differs; rerun with UPDATE_GOLDEN=1 if intended`).toBe(
        expected,
      );
    }
  });

  it("is deterministic: the same inputs in another order give the same files", async () => {
    const again = await generate([...inputs].reverse(), FIXTURE_OPTIONS);
    expect(again).toEqual(files);
  });
});
