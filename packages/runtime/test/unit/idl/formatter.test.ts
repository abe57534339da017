import { describe, expect, it } from "vitest";
import {
  formatInterface,
  formatSource,
  parseInterface,
  VarlinkSyntaxError,
} from "@varlink-ts/runtime/idl";
import { meaning } from "@varlink-ts/test-kit/fixtures";

/** Formats `source` and checks the result is stable and means the same before returning it. */
function format(source: string): string {
  const formatted = formatSource(source);
  expect(formatSource(formatted)).toBe(formatted);
  expect(meaning(parseInterface(formatted))).toEqual(meaning(parseInterface(source)));
  return formatted;
}

describe("canonical layout", () => {
  it("prints the interface doc, the name, one blank line before each member, one newline at the end", () => {
    const source =
      "# Doc.\ninterface a.b\n# T doc.\ntype T (x: int)\n\n\n\nmethod M() -> ()\nerror E ()";
    expect(format(source)).toBe(
      "# Doc.\ninterface a.b\n\n# T doc.\ntype T (x: int)\n\nmethod M() -> ()\n\nerror E ()\n",
    );
  });

  it("prints a space after type and error names but none after method names", () => {
    expect(format("interface a.b\ntype T(x:int)\nmethod  M (a:int)->(b:int)\nerror E()")).toBe(
      "interface a.b\n\ntype T (x: int)\n\nmethod M(a: int) -> (b: int)\n\nerror E ()\n",
    );
  });

  it("prints an empty doc line as a bare #", () => {
    expect(format("#   indented\n#\n# text\ninterface a.b")).toBe(
      "#   indented\n#\n# text\ninterface a.b\n",
    );
  });

  it("prints every type form in its canonical spelling", () => {
    expect(
      format(
        "interface a.b\ntype T (a:?[ ]?[ string ]( x , y ),b:[string]( ),c:any,d:object,e:( f:( ) ))",
      ),
    ).toBe(
      "interface a.b\n\ntype T (a: ?[]?[string](x, y), b: [string](), c: any, d: object, e: (f: ()))\n",
    );
  });

  it("breaks a struct that does not fit one field a line, indented two spaces", () => {
    const fields = "alpha_field: string, bravo_field: string, charlie_field: string, delta: int";
    expect(format(`interface a.b\ntype T (${fields})`)).toBe(
      "interface a.b\n\ntype T (\n  alpha_field: string,\n  bravo_field: string,\n  charlie_field: string,\n  delta: int\n)\n",
    );
  });

  it("breaks an enum that does not fit one value a line", () => {
    const values = "alpha, bravo, charlie, delta, echo, foxtrot, golf, hotel, india, juliet, kilo";
    expect(format(`interface a.b\ntype T (${values})`)).toBe(
      `interface a.b\n\ntype T (\n${values
        .split(", ")
        .map((value, index, all) => `  ${value}${index < all.length - 1 ? "," : ""}`)
        .join("\n")}\n)\n`,
    );
  });

  it("breaks a nested struct inside an array, map or nullable at its own indent", () => {
    const inner = "alpha_field: string, bravo_field: string, charlie_field: string, delta: int";
    expect(format(`interface a.b\ntype T (list: ?[][string](${inner}))`)).toBe(
      [
        "interface a.b",
        "",
        "type T (",
        "  list: ?[][string](",
        "    alpha_field: string,",
        "    bravo_field: string,",
        "    charlie_field: string,",
        "    delta: int",
        "  )",
        ")",
        "",
      ].join("\n"),
    );
  });

  it("never breaks an empty struct", () => {
    const name = "A".repeat(90);
    expect(format(`interface a.b\nerror E${name} ()\nmethod M${name}() -> ()`)).toBe(
      `interface a.b\n\nerror E${name} ()\n\nmethod M${name}() -> ()\n`,
    );
  });
});

describe("documented fields", () => {
  it("break their struct, with each comment line above its field", () => {
    expect(format("interface a.b\ntype T (a: int, # the a\n b: int)")).toBe(
      "interface a.b\n\ntype T (\n  # the a\n  a: int,\n  b: int\n)\n",
    );
  });

  it("break every struct around them, and a method's input or output alone", () => {
    expect(format("interface a.b\nmethod M(x: (y: (\n# deep\nz: int))) -> (r: int)")).toBe(
      [
        "interface a.b",
        "",
        "method M(",
        "  x: (",
        "    y: (",
        "      # deep",
        "      z: int",
        "    )",
        "  )",
        ") -> (r: int)",
        "",
      ].join("\n"),
    );
    expect(format("interface a.b\nmethod M(x: int) -> (\n# out\nr: int)")).toBe(
      "interface a.b\n\nmethod M(x: int) -> (\n  # out\n  r: int\n)\n",
    );
  });

  it("break an enum whose values carry docs", () => {
    expect(format("interface a.b\ntype E (a, # first\nb)")).toBe(
      "interface a.b\n\ntype E (\n  # first\n  a,\n  b\n)\n",
    );
  });
});

describe("formatInterface", () => {
  it("prints a definition built by the parser from any source", () => {
    const definition = parseInterface("interface a.b\nmethod M()->()");
    expect(formatInterface(definition)).toBe("interface a.b\n\nmethod M() -> ()\n");
  });

  it("splits doc entries that hold line breaks into comment lines", () => {
    const definition = parseInterface("interface a.b");
    expect(formatInterface({ ...definition, doc: ["one\ntwo", ""] })).toBe(
      "# one\n# two\n#\ninterface a.b\n",
    );
  });
});

describe("formatSource", () => {
  it("throws the parser's error, with the file name", () => {
    expect(() => formatSource("interface a.b\ntype T (x: Y)", { file: "t.varlink" })).toThrow(
      VarlinkSyntaxError,
    );
    expect(() => formatSource("interface a.b\ntype T (x: Y)", { file: "t.varlink" })).toThrow(
      "t.varlink:2:12: unknown type 'Y'",
    );
  });
});
