/**
 * Formatting in pieces: what keeps generation time linear in the size of an interface (timed in
 * the bench, `pnpm bench --scenarios codegen`, never here). These tests check the structure
 * that makes it so: no prettier call sees more than a bounded number of statements, each is told
 * the file is TypeScript, and the pieces put together are what formatting in one piece gives.
 */
import { describe, expect, it, vi } from "vitest";
import { parseInterface } from "@varlink-ts/runtime/idl";
import { NO_BIGINT } from "../../src/bigint.js";
import { createProject, renderModule } from "../../src/emit-module.js";
import { formatTypeScript, STATEMENTS_PER_CALL } from "../../src/format.js";
import { resolveOptions } from "../../src/options.js";
import { fixtureInputs } from "../fixture-inputs.js";

const calls = vi.hoisted(() => [] as { text: string; filepath: string | undefined }[]);
vi.mock("prettier", async (importOriginal) => {
  const prettier = await importOriginal<typeof import("prettier")>();
  return {
    ...prettier,
    format: (text: string, options: import("prettier").Options) => {
      calls.push({ text, filepath: options.filepath });
      return prettier.format(text, options);
    },
  };
});

/** An interface of `count` documented types, each referring to the one before. */
function manyTypes(count: number): string {
  const types = Array.from(
    { length: count },
    (_, i) => `# Type ${i}\ntype T${i} (a: int, b: ?[]T${Math.max(0, i - 1)}, e: (x, y))\n`,
  );
  return `interface org.example.big\n\n${types.join("\n")}\nmethod Get(t: T0) -> (u: T1)\n`;
}

describe("formatting in pieces", () => {
  it("gives what one piece gives, for every fixture and every piece size", async () => {
    const project = createProject();
    for (const emit of [undefined, ["types"] as const]) {
      const options = resolveOptions(emit === undefined ? {} : { emit });
      for (const input of fixtureInputs()) {
        const definition = parseInterface(input.source, { file: input.path });
        const { text, statementEnds } = renderModule(
          project,
          definition,
          "x.varlink",
          options,
          NO_BIGINT,
        );
        const whole = await formatTypeScript(text, {
          filepath: "x.ts",
          statementEnds,
          statementsPerCall: Infinity,
        });
        for (const statementsPerCall of [1, 2, 3, 7]) {
          const pieces = await formatTypeScript(text, {
            filepath: "x.ts",
            statementEnds,
            statementsPerCall,
          });
          expect(pieces, `${input.path} in pieces of ${statementsPerCall}`).toBe(whole);
        }
      }
    }
  });

  it("never gives prettier more than STATEMENTS_PER_CALL statements, and names the file .ts", async () => {
    // The unit layer shares modules between files: load the generator afresh, so that the
    // prettier it loads lazily is the mock above, whatever another file loaded before.
    vi.resetModules();
    const { generate } = await import("@varlink-ts/codegen");
    calls.length = 0;
    const [module] = await generate([{ path: "org.example.big.varlink", source: manyTypes(400) }]);
    const exported = (text: string): number => text.match(/^export /gm)?.length ?? 0;
    expect(exported(module!.content)).toBeGreaterThan(4 * STATEMENTS_PER_CALL);
    expect(calls.length).toBeGreaterThan(4);
    for (const call of calls) {
      expect(exported(call.text)).toBeLessThanOrEqual(STATEMENTS_PER_CALL);
      expect(call.filepath).toMatch(/^[\w.-]+\.ts$/);
    }
  });
});
