/**
 * Property tests: whatever the input, the parser returns a definition or throws a
 * VarlinkSyntaxError (never another error, never a stack overflow), and what it accepts formats
 * idempotently to text that means the same.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatSource, parseInterface, VarlinkSyntaxError } from "@varlink-ts/runtime/idl";
import { meaning, varlinkFiles } from "@varlink-ts/test-kit/fixtures";

const fixtures = [...varlinkFiles("interop"), ...varlinkFiles("idl/valid")].map(([, text]) => text);

/** The property every input must have. */
function parsesOrFailsCleanly(source: string): void {
  let definition;
  try {
    definition = parseInterface(source);
  } catch (error) {
    if (!(error instanceof VarlinkSyntaxError)) {
      throw error;
    }
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.column).toBeGreaterThanOrEqual(1);
    expect(error.message.startsWith(`<input>:${error.line}:${error.column}: `)).toBe(true);
    expect(error.frame).toMatch(/\n[\t ]*\^$/);
    return;
  }
  const formatted = formatSource(source);
  expect(formatSource(formatted)).toBe(formatted);
  expect(meaning(parseInterface(formatted))).toEqual(meaning(definition));
}

/** Pieces of IDL, so random sequences get past the first token often. */
const piece = fc.constantFrom(
  "interface ",
  "org.example.fuzz",
  "\n",
  " ",
  "\t",
  "type ",
  "method ",
  "error ",
  "T",
  "Point",
  "x",
  "enum",
  "(",
  ")",
  ",",
  ":",
  "?",
  "[]",
  "[string]",
  "[",
  "]",
  "->",
  "int",
  "string",
  "any",
  "object",
  "# comment\n",
  "#",
);

type Mutation = { kind: "delete" | "insert" | "swap"; at: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("delete", "insert", "swap"),
  at: fc.nat(),
  text: fc.oneof(fc.string({ maxLength: 3 }), piece),
});

function mutate(source: string, mutations: readonly Mutation[]): string {
  let text = source;
  for (const { kind, at, text: insert } of mutations) {
    const index = text.length === 0 ? 0 : at % text.length;
    if (kind === "delete") {
      text = text.slice(0, index) + text.slice(index + 1 + (at % 4));
    } else if (kind === "insert") {
      text = text.slice(0, index) + insert + text.slice(index);
    } else {
      const other = text.length === 0 ? 0 : (at * 7 + 3) % text.length;
      const chars = [...text];
      const a = chars[index];
      const b = chars[other];
      if (a !== undefined && b !== undefined) {
        chars[index] = b;
        chars[other] = a;
      }
      text = chars.join("");
    }
  }
  return text;
}

describe("the parser on any input", () => {
  it("handles random strings", () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: "binary", maxLength: 60 }),
    );
    fc.assert(fc.property(text, parsesOrFailsCleanly), { numRuns: 500 });
  });

  it("handles random sequences of IDL pieces", () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (pieces) =>
        parsesOrFailsCleanly(`interface org.example.fuzz\n${pieces.join("")}`),
      ),
      { numRuns: 1000 },
    );
  });

  it("handles the fixtures with characters deleted, inserted and swapped", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(mutation, { minLength: 1, maxLength: 6 }),
        (source, mutations) => parsesOrFailsCleanly(mutate(source, mutations)),
      ),
      { numRuns: 1000 },
    );
  });

  it.each([
    ["[", "[]"],
    ["(", "("],
    ["?", "?"],
    ["nested structs", "(a: "],
    ["arrays of nullables", "?[]"],
    ["maps", "[string]"],
  ])("rejects 100,000 levels of %s with a syntax error", (_name, open) => {
    const source = `interface org.example.deep\ntype T (x: ${open.repeat(100_000)}int)`;
    expect(() => parseInterface(source)).toThrow(VarlinkSyntaxError);
    parsesOrFailsCleanly(`interface org.example.deep\nmethod M(${open.repeat(100_000)}`);
    parsesOrFailsCleanly("(".repeat(100_000));
  });
});
