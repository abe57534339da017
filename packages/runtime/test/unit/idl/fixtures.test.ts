import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { formatSource, parseInterface, VarlinkSyntaxError } from "@varlink-ts/runtime/idl";
import { FIXTURES, meaning, varlinkFiles } from "@varlink-ts/test-kit/fixtures";

const interop = varlinkFiles("interop");
const valid = varlinkFiles("idl/valid");
const canonical = varlinkFiles("idl/canonical");
const invalid = varlinkFiles("idl/invalid");

describe.each([
  ["fixtures/interop", interop],
  ["fixtures/idl/valid", valid],
])("every file in %s", (_folder, files) => {
  it("is there", () => {
    expect(files.length).toBeGreaterThan(4);
  });

  it.each(files)("%s parses, formats idempotently and reparses to the same model", (name, text) => {
    const definition = parseInterface(text, { file: name });
    expect(name).toBe(`${definition.name}.varlink`);
    expect(definition.source).toBe(text);
    const formatted = formatSource(text);
    expect(formatted.endsWith("\n") && !formatted.endsWith("\n\n")).toBe(true);
    expect(formatSource(formatted)).toBe(formatted);
    expect(meaning(parseInterface(formatted))).toEqual(meaning(definition));
  });
});

describe("canonical forms in fixtures/idl/canonical", () => {
  it("cover the hand-formatted certification interface", () => {
    expect(canonical.map(([name]) => name)).toContain("org.varlink.certification.varlink");
  });

  it.each(canonical)("%s is what the formatter prints for its source", (name, expected) => {
    const source = [...interop, ...valid].find(([other]) => other === name)?.[1];
    expect(source, `no source for ${name}`).toBeDefined();
    expect(formatSource(source ?? "")).toBe(expected);
    expect(formatSource(expected)).toBe(expected);
  });

  it("differs from the hand-formatted certification file where the rules say so", () => {
    const source = readFileSync(`${FIXTURES}interop/org.varlink.certification.varlink`, "utf8");
    const formatted = formatSource(source);
    expect(formatted).not.toBe(source);
    expect(formatted).toContain(
      "type Interface (foo: ?[]?[string](foo, bar, baz), anon: (foo: bool, bar: bool))\n",
    );
    expect(formatted).toContain(
      ") -> (struct: (bool: bool, int: int, float: float, string: string))\n",
    );
  });
});

describe("invalid files in fixtures/idl/invalid", () => {
  const expected = JSON.parse(
    readFileSync(`${FIXTURES}idl/invalid/expected.json`, "utf8"),
  ) as Record<string, { line: number; column: number; reason: string }>;

  it("all have an expected error, and every expected error has a file", () => {
    expect(invalid.map(([name]) => name).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(invalid)("%s fails where expected.json says", (name, text) => {
    let error: unknown;
    try {
      parseInterface(text, { file: name });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VarlinkSyntaxError);
    const { file, line, column, reason } = error as VarlinkSyntaxError;
    expect({ file, line, column, reason }).toEqual({ file: name, ...expected[name] });
  });
});
