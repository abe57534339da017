import { describe, expect, it } from "vitest";
import {
  parseInterface,
  type EnumType,
  type Field,
  type StructType,
  type TypeMember,
  type VarlinkType,
} from "@varlink-ts/runtime/idl";

/** Parses one `type T (...)` member inside a minimal interface and returns its body. */
function typeBody(body: string): StructType | EnumType {
  const definition = parseInterface(`interface org.example.test\ntype T ${body}\n`);
  const member = definition.members[0] as TypeMember;
  return member.type;
}

/** The type of field `a` in `type T (a: TYPE)`. */
function fieldType(type: string): VarlinkType {
  const body = typeBody(`(a: ${type})`) as StructType;
  return (body.fields[0] as Field).type;
}

/** A type written back without positions, to compare shapes briefly. */
function shape(type: VarlinkType): unknown {
  switch (type.kind) {
    case "named":
      return { named: type.name };
    case "struct":
      return { struct: type.fields.map((field) => [field.name, shape(field.type)]) };
    case "enum":
      return { enum: type.values.map((value) => value.name) };
    case "array":
      return { array: shape(type.element) };
    case "map":
      return { map: shape(type.value) };
    case "nullable":
      return { nullable: shape(type.inner) };
    default:
      return type.kind;
  }
}

describe("interface", () => {
  it("reads the name, the doc above it, and keeps the exact source", () => {
    const source =
      "# The doc.\n# Second line.\ninterface org.example.ping\n\nmethod Ping() -> ()\n";
    const definition = parseInterface(source, { file: "ping.varlink" });
    expect(definition.name).toBe("org.example.ping");
    expect(definition.doc).toEqual(["The doc.", "Second line."]);
    expect(definition.source).toBe(source);
    expect(definition.file).toBe("ping.varlink");
    expect(definition.position).toEqual({
      line: 3,
      column: 1,
      offset: source.indexOf("interface"),
    });
  });

  it("has no file when none is given", () => {
    expect(parseInterface("interface a.b").file).toBeUndefined();
  });

  it("accepts an interface with no members and one with no methods", () => {
    expect(parseInterface("interface a.b").members).toEqual([]);
    const definition = parseInterface("interface a.b\ntype P (x: int)\nerror E ()");
    expect(definition.methods.size).toBe(0);
    expect([...definition.types.keys()]).toEqual(["P"]);
    expect([...definition.errors.keys()]).toEqual(["E"]);
  });

  it.each([
    "org.varlink.service",
    "a.b",
    "a.b.c",
    "com.example.0example",
    "com.example.example-dash",
    "xn--lgbbat1ad8j.example.algeria",
    "com.Example",
    "Com.example.uppercase-toplevel",
    "co9.example.number-toplevel",
    "a1.b--1.c--1",
    "a.21.c",
    "a.1",
    "io.systemd.UserDatabase",
  ])("accepts the interface name %s", (name) => {
    expect(parseInterface(`interface ${name}\nmethod F() -> ()`).name).toBe(name);
  });

  it("skips a byte order mark and accepts CRLF line ends", () => {
    const definition = parseInterface(
      "\uFEFF# Doc\r\ninterface a.b\r\n\r\n# M\r\nmethod F(a: int) -> () # x\r\n",
    );
    expect(definition.doc).toEqual(["Doc"]);
    expect(definition.position).toEqual({ line: 2, column: 1, offset: 8 });
    expect(definition.members[0]?.doc).toEqual(["M", "x"]);
  });
});

describe("members", () => {
  it("keeps members in source order with kinds, names and keyword positions", () => {
    const definition = parseInterface(
      "interface a.b\nerror E ()\nmethod M() -> ()\ntype T (x: int)\nmethod N() -> ()",
    );
    expect(definition.members.map((member) => [member.kind, member.name])).toEqual([
      ["error", "E"],
      ["method", "M"],
      ["type", "T"],
      ["method", "N"],
    ]);
    expect(definition.members.map((member) => member.position.line)).toEqual([2, 3, 4, 5]);
    expect([...definition.methods.keys()]).toEqual(["M", "N"]);
    expect(definition.methods.get("N")).toBe(definition.members[3]);
  });

  it("reads a method's input and output structs", () => {
    const definition = parseInterface(
      "interface a.b\nmethod Ping(ping: string) -> (pong: string, n: ?int)",
    );
    const method = definition.methods.get("Ping");
    expect(method?.input.fields.map((field) => field.name)).toEqual(["ping"]);
    expect(method?.output.fields.map((field) => [field.name, shape(field.type)])).toEqual([
      ["pong", "string"],
      ["n", { nullable: "int" }],
    ]);
  });

  it("reads an error's parameters", () => {
    const error = parseInterface("interface a.b\nerror Bad (reason: string)").errors.get("Bad");
    expect(error?.parameters.fields.map((field) => field.name)).toEqual(["reason"]);
  });

  it("accepts any spacing peers accept", () => {
    const source = [
      "interface\ta.b",
      "method  Top (a : int)->()",
      "type Sockets(",
      "\tnames :[]string,",
      "",
      "\tfds:[string]int",
      ")",
      "type  Flags (  read ,write,",
      "  execute )",
      "method Out(",
      ")",
      "  ->",
      "  (  ok : bool )",
      "error   Failed(  )",
    ].join("\n");
    const definition = parseInterface(source);
    expect(definition.members.map((member) => member.name)).toEqual([
      "Top",
      "Sockets",
      "Flags",
      "Out",
      "Failed",
    ]);
    expect(shape(definition.types.get("Sockets")?.type as StructType)).toEqual({
      struct: [
        ["names", { array: "string" }],
        ["fds", { map: "int" }],
      ],
    });
    expect(shape(definition.types.get("Flags")?.type as EnumType)).toEqual({
      enum: ["read", "write", "execute"],
    });
  });
});

describe("types", () => {
  it.each(["bool", "int", "float", "string", "object", "any"])("reads the primitive %s", (name) => {
    expect(fieldType(name).kind).toBe(name);
  });

  it("reads named types, arrays, maps, sets and nullables", () => {
    const definition = parseInterface(
      "interface a.b\ntype P (x: int)\ntype T (a: P, b: []P, c: [string]P, d: [string](), e: ?P)",
    );
    const struct = definition.types.get("T")?.type as StructType;
    expect(struct.fields.map((field) => shape(field.type))).toEqual([
      { named: "P" },
      { array: { named: "P" } },
      { map: { named: "P" } },
      "set",
      { nullable: { named: "P" } },
    ]);
  });

  it("nests containers as deeply as the examples do", () => {
    expect(shape(fieldType("?[]?[string](foo, bar, baz)"))).toEqual({
      nullable: { array: { nullable: { map: { enum: ["foo", "bar", "baz"] } } } },
    });
    expect(shape(fieldType("[][]int"))).toEqual({ array: { array: "int" } });
    expect(shape(fieldType("[string][string]()"))).toEqual({ map: "set" });
    expect(shape(fieldType("?[string]()"))).toEqual({ nullable: "set" });
  });

  it("reads anonymous structs and enums, and () as an empty struct", () => {
    expect(shape(fieldType("(b: bool, c: (d: int))"))).toEqual({
      struct: [
        ["b", "bool"],
        ["c", { struct: [["d", "int"]] }],
      ],
    });
    expect(shape(fieldType("(x, y)"))).toEqual({ enum: ["x", "y"] });
    expect(shape(fieldType("()"))).toEqual({ struct: [] });
    expect(shape(fieldType("[]()"))).toEqual({ array: { struct: [] } });
  });

  it("records where each type starts", () => {
    const type = fieldType("?[]int");
    // "type T (a: ?[]int)": the '?' is column 12 of line 2.
    expect(type.position).toEqual({ line: 2, column: 12, offset: 27 + 11 });
    expect(type.kind === "nullable" && type.inner.position.column).toBe(13);
  });

  it("accepts keywords and upper-case starts as field names and enum values", () => {
    const body = typeBody(
      "(type: int, enum: int, interface: int, in: int, delete: int, if: int, let: int, Upper: int, snake_case2: int)",
    ) as StructType;
    expect(body.fields.map((field) => field.name)).toEqual([
      "type",
      "enum",
      "interface",
      "in",
      "delete",
      "if",
      "let",
      "Upper",
      "snake_case2",
    ]);
    const values = typeBody("(type, enum, int, bool, string, if, let, Upper)") as EnumType;
    expect(values.values.map((value) => value.name)).toContain("Upper");
  });

  it("allows recursive named types", () => {
    const definition = parseInterface("interface a.b\ntype Node (children: []Node, parent: ?Node)");
    expect(definition.types.has("Node")).toBe(true);
  });

  it("reads a type member as a struct or an enum, with field positions", () => {
    const source = "interface a.b\ntype Mode (fast, slow)\ntype P (x: int,\n  y: int)";
    const definition = parseInterface(source);
    expect(definition.types.get("Mode")?.type.kind).toBe("enum");
    const point = definition.types.get("P")?.type as StructType;
    expect(point.fields.map((field) => field.position)).toEqual([
      { line: 3, column: 9, offset: source.indexOf("x:") },
      { line: 4, column: 3, offset: source.indexOf("y:") },
    ]);
  });
});
