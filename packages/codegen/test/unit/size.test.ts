/**
 * The size targets of the generated code (docs/codegen.md): a module stays small because
 * everything that behaves lives once in the runtime, while every method and type keeps its
 * documentation.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GOLDEN_DIR } from "../fixture-inputs.js";

const TARGETS = [
  { file: "org.varlink.certification.ts", maxLines: 900, methods: 13 },
  { file: "org.example.more.ts", maxLines: 300, methods: 3 },
];

describe.each(TARGETS)("$file", ({ file, maxLines, methods }) => {
  const text = readFileSync(join(GOLDEN_DIR, file), "utf8");
  const lines = text.split("\n");

  it(`is at most ${maxLines} lines`, () => {
    expect(lines.length).toBeLessThanOrEqual(maxLines);
  });

  it("documents every method in the descriptor and every exported declaration", () => {
    const entries = [...text.matchAll(/\*\/\n\s+(\w+): method</g)];
    expect(entries).toHaveLength(methods);
    for (const [index, line] of lines.entries()) {
      if (!/^export /.test(line)) continue;
      // Every export is directly below the end of its TSDoc block.
      expect(lines[index - 1]?.trim(), line).toMatch(/\*\/$/);
    }
  });
});
