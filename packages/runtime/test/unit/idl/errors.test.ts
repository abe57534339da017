import { describe, expect, it } from "vitest";
import { parseInterface, VarlinkSyntaxError } from "@varlink-ts/runtime/idl";

/** Parses `source` and returns the syntax error it must throw. */
function failure(source: string, file?: string): VarlinkSyntaxError {
  try {
    parseInterface(source, file === undefined ? {} : { file });
  } catch (error) {
    expect(error).toBeInstanceOf(VarlinkSyntaxError);
    return error as VarlinkSyntaxError;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(source)}`);
}

/** [line, column, reason] of the error `source` throws. */
function where(source: string): [number, number, string] {
  const error = failure(source);
  return [error.line, error.column, error.reason];
}

const I = "interface org.example.bad\n";

describe("VarlinkSyntaxError", () => {
  it("carries file, line, column, reason, message and frame", () => {
    const error = failure(`${I}type Point (\n  x: float,\n  y float\n)\n`, "point.varlink");
    expect(error.name).toBe("VarlinkSyntaxError");
    expect(error).toBeInstanceOf(Error);
    expect(error.file).toBe("point.varlink");
    expect(error.line).toBe(4);
    expect(error.column).toBe(5);
    expect(error.reason).toBe("expected ':' after field name");
    expect(error.message).toBe("point.varlink:4:5: expected ':' after field name");
    expect(error.frame).toBe("  y float\n    ^");
  });

  it("names the file <input> when there is none", () => {
    const error = failure(`${I}method F() -> (x: Nope)`);
    expect(error.file).toBeUndefined();
    expect(error.message).toBe("<input>:2:19: unknown type 'Nope'");
  });

  it("keeps tabs in the caret line so the caret lines up", () => {
    const error = failure(`${I}method F(\n\tping:\tstring,\n\tcount:\tint,,\n) -> ()`);
    expect([error.line, error.column]).toEqual([4, 13]);
    expect(error.frame).toBe("\tcount:\tint,,\n\t      \t    ^");
  });

  it("frames the first line when the input is empty", () => {
    const error = failure("");
    expect([error.line, error.column, error.reason]).toEqual([1, 1, "expected 'interface'"]);
    expect(error.frame).toBe("\n^");
  });

  it("leaves the CR of a CRLF line out of the frame", () => {
    const error = failure("interface a.b\r\ntype T (x: Nope)\r\n");
    expect(error.frame).toBe("type T (x: Nope)\n           ^");
  });

  it("puts the caret after the last token when the input ends early", () => {
    const error = failure(`${I}type T (x: int`);
    expect([error.line, error.column, error.reason]).toEqual([
      2,
      15,
      "expected ',' or ')' after field",
    ]);
    expect(error.frame).toBe("type T (x: int\n              ^");
  });
});

describe("syntax errors", () => {
  it.each<[string, string, [number, number, string]]>([
    ["no interface keyword", "method F() -> ()", [1, 1, "expected 'interface'"]],
    ["empty interface name", "interface\n", [1, 10, "expected interface name after 'interface'"]],
    [
      "missing interface name before a member",
      "interface\nmethod F() -> ()",
      [1, 10, "expected interface name after 'interface'"],
    ],
    [
      "one-label interface name",
      "interface ab",
      [1, 11, "interface name 'ab' needs at least two dot-separated labels"],
    ],
    ["empty label", "interface a..b", [1, 13, "empty label in interface name"]],
    ["leading dot", "interface .a.b", [1, 11, "empty label in interface name"]],
    ["trailing dot", "interface a.b.", [1, 15, "empty label in interface name"]],
    ["digit first", "interface 1a.b", [1, 11, "interface name must start with a letter"]],
    ["leading dash", "interface a.-b", [1, 13, "interface name labels cannot start with '-'"]],
    ["trailing dash", "interface a.b-", [1, 14, "interface name labels cannot end with '-'"]],
    ["bad character", "interface a_b.c", [1, 12, "invalid character '_' in interface name"]],
    ["wildcard", "interface a.*.c", [1, 13, "invalid character '*' in interface name"]],
    [
      "not a member after the last member",
      `${I}method F() -> ()\nF()`,
      [3, 1, "expected 'type', 'method' or 'error'"],
    ],
    ["punctuation instead of a member", `${I})`, [2, 1, "expected 'type', 'method' or 'error'"]],
    ["second interface", `${I}interface a.c`, [2, 1, "expected 'type', 'method' or 'error'"]],
    ["missing type name", `${I}type (x: int)`, [2, 6, "expected type name after 'type'"]],
    [
      "lower-case member name",
      `${I}method ping() -> ()`,
      [
        2,
        8,
        "invalid method name 'ping': must start with an upper-case letter and hold only letters and digits",
      ],
    ],
    [
      "underscore in member name",
      `${I}error Bad_Thing ()`,
      [
        2,
        7,
        "invalid error name 'Bad_Thing': must start with an upper-case letter and hold only letters and digits",
      ],
    ],
    [
      "type that is not a struct or enum",
      `${I}type Names []string`,
      [2, 12, "expected '(' after type name"],
    ],
    ["missing method input", `${I}method F -> ()`, [2, 10, "expected '(' after method name"]],
    ["missing arrow", `${I}method F()\n`, [2, 11, "expected '->' after method input"]],
    ["wrong arrow", `${I}method F() => ()`, [2, 12, "unexpected character '='"]],
    ["half an arrow", `${I}method F() - ()`, [2, 12, "expected '->'"]],
    ["missing method output", `${I}method F() ->\n`, [2, 14, "expected '(' after '->'"]],
    ["missing error parameters", `${I}error E`, [2, 8, "expected '(' after error name"]],
    ["enum as method input", `${I}method F(a, b) -> ()`, [2, 11, "expected ':' after field name"]],
    ["enum as error parameters", `${I}error E (a)`, [2, 11, "expected ':' after field name"]],
    ["missing colon", `${I}type T (x int)`, [2, 11, "expected ':' after field name"]],
    [
      "missing colon, type on next line",
      `${I}type T (x\n  ?int)`,
      [2, 10, "expected ':' after field name"],
    ],
    ["missing type", `${I}type T (x: )`, [2, 12, "expected a type"]],
    ["trailing comma", `${I}type T (x: int,)`, [2, 16, "expected field name after ','"]],
    ["trailing comma in enum", `${I}type T (a, b,)`, [2, 14, "expected enum value after ','"]],
    ["missing comma", `${I}type T (x: int y: int)`, [2, 16, "expected ',' or ')' after field"]],
    ["missing comma in enum", `${I}type T (a b)`, [2, 11, "expected ',' or ')' after enum value"]],
    [
      "typed entry in an enum",
      `${I}type T (a, b: int)`,
      [2, 13, "unexpected ':': this is an enum, because its first entry 'a' has no type"],
    ],
    ["unclosed struct", `${I}type T (x: int`, [2, 15, "expected ',' or ')' after field"]],
    ["nothing inside", `${I}type T (,)`, [2, 9, "expected field name or enum value"]],
    ["invalid field name", `${I}type T (a__b: int)`, [2, 9, "invalid field name 'a__b'"]],
    ["underscore first", `${I}type T (_a: int)`, [2, 9, "invalid field name '_a'"]],
    ["digit first", `${I}type T (1a: int)`, [2, 9, "invalid field name '1a'"]],
    ["trailing underscore", `${I}type T (a_, b)`, [2, 9, "invalid enum value 'a_'"]],
    [
      "double nullable",
      `${I}type T (x: ??int)`,
      [2, 13, "'??' is not a type: a nullable type cannot be made nullable again"],
    ],
    [
      "map with a non-string key",
      `${I}type T (x: [int]string)`,
      [2, 13, "expected ']' or 'string' after '['"],
    ],
    ["fixed-size array", `${I}type T (x: [1]bool)`, [2, 13, "expected ']' or 'string' after '['"]],
    ["unclosed map key", `${I}type T (x: [string bool)`, [2, 20, "expected ']' after '[string'"]],
    ["postfix array", `${I}type T (x: bool[])`, [2, 16, "expected ',' or ')' after field"]],
    [
      "lower-case unknown type",
      `${I}type T (x: strin)`,
      [2, 12, "unknown type 'strin'; did you mean 'string'?"],
    ],
    [
      "invalid type name",
      `${I}type T (x: Foo_Bar)`,
      [
        2,
        12,
        "invalid type name 'Foo_Bar': must start with an upper-case letter and hold only letters and digits",
      ],
    ],
    ["unexpected character", `${I}type T (x: int) %`, [2, 17, "unexpected character '%'"]],
    ["control character", `${I}type T (x:\u0001int)`, [2, 11, "unexpected character U+0001"]],
    ["non-ASCII character", `${I}type T (x: \u00e9)`, [2, 12, "unexpected character '\u00e9'"]],
  ])("%s", (_name, source, expected) => {
    expect(where(source)).toEqual(expected);
  });
});

describe("checks", () => {
  it("rejects a duplicate member, whatever its kind", () => {
    expect(where(`${I}type Foo (a: int)\n\nmethod Foo() -> ()`)).toEqual([
      4,
      1,
      "duplicate member 'Foo' (first defined at 2:1)",
    ]);
    expect(where(`${I}error E ()\nerror E ()`)).toEqual([
      3,
      1,
      "duplicate member 'E' (first defined at 2:1)",
    ]);
  });

  it("rejects a duplicate field and a duplicate enum value", () => {
    expect(where(`${I}method Get(key: string, key: int) -> ()`)).toEqual([
      2,
      25,
      "duplicate field 'key' (first defined at 2:12)",
    ]);
    expect(where(`${I}type Mode (fast, slow,\n  fast)`)).toEqual([
      3,
      3,
      "duplicate enum value 'fast' (first defined at 2:12)",
    ]);
  });

  it("rejects a reference to an undefined type, however deep", () => {
    expect(where(`${I}method Get() -> (value: ?[]Bar)`)).toEqual([2, 28, "unknown type 'Bar'"]);
    expect(where(`${I}error E (a: (b: [string]?(c: Missing)))`)).toEqual([
      2,
      30,
      "unknown type 'Missing'",
    ]);
  });

  it("rejects a reference to a method or an error as a type", () => {
    expect(where(`${I}method Ping() -> ()\ntype Log (calls: []Ping)`)).toEqual([
      3,
      20,
      "'Ping' is a method, not a type",
    ]);
    expect(where(`${I}type Log (last: Failed)\nerror Failed ()`)).toEqual([
      2,
      17,
      "'Failed' is an error, not a type",
    ]);
  });

  it("accepts a type used before it is defined", () => {
    expect(parseInterface(`${I}method Get() -> (p: Point)\ntype Point (x: int)`).types.size).toBe(
      1,
    );
  });

  it("reports the earliest failed check in the file", () => {
    expect(where(`${I}type A (x: Nope)\ntype A ()`)).toEqual([2, 12, "unknown type 'Nope'"]);
    expect(where(`${I}type A ()\ntype A (x: Nope)`)).toEqual([
      3,
      1,
      "duplicate member 'A' (first defined at 2:1)",
    ]);
  });

  it("reports a syntax error before any failed check", () => {
    expect(where(`${I}type A (x: Nope)\ntype B (`)).toEqual([
      3,
      9,
      "expected field name or enum value",
    ]);
  });

  it("bounds the nesting depth of types", () => {
    const deep = (open: string, close: string, levels: number): string =>
      `${I}type T (x: ${open.repeat(levels)}int${close.repeat(levels)})`;
    expect(() => parseInterface(deep("[]", "", 60))).not.toThrow();
    expect(where(deep("[]", "", 128))[2]).toBe("types nested too deeply (more than 64 levels)");
    expect(where(deep("?[]", "", 128))[2]).toBe("types nested too deeply (more than 64 levels)");
    expect(where(deep("(a: ", ")", 128))[2]).toBe("types nested too deeply (more than 64 levels)");
  });
});
