import { describe, expect, it } from "vitest";
import { parseInterface, type EnumType, type StructType } from "@varlink-ts/runtime/idl";

describe("doc comments", () => {
  it("documents the interface with the comment lines directly above it", () => {
    const definition = parseInterface(
      "# License header.\n\n# The interface.\n#\n#   indented\ninterface a.b\n",
    );
    expect(definition.doc).toEqual(["The interface.", "", "  indented"]);
  });

  it("documents members with the comment lines directly above them", () => {
    const definition = parseInterface(
      [
        "interface a.b",
        "",
        "# Detached: a blank line follows.",
        "",
        "# Doc of T.",
        "#no space after the hash",
        "type T (x: int)",
        "# Doc of M.",
        "method M() -> ()",
        "error E ()",
      ].join("\n"),
    );
    expect(definition.members.map((member) => member.doc)).toEqual([
      ["Doc of T.", "no space after the hash"],
      ["Doc of M."],
      [],
    ]);
  });

  it("documents fields and enum values with comment lines above them", () => {
    const definition = parseInterface(
      [
        "interface a.b",
        "type S (",
        "  # Doc of x.",
        "  x: int,",
        "  y: int,",
        "  # Doc of z,",
        "  # two lines.",
        "  z: (",
        "    # Doc of inner.",
        "    inner: bool",
        "  )",
        ")",
        "type E (",
        "  # Doc of one.",
        "  one,",
        "  two",
        ")",
      ].join("\n"),
    );
    const struct = definition.types.get("S")?.type as StructType;
    expect(struct.fields.map((field) => field.doc)).toEqual([
      ["Doc of x."],
      [],
      ["Doc of z,", "two lines."],
    ]);
    const z = struct.fields[2]?.type as StructType;
    expect(z.fields[0]?.doc).toEqual(["Doc of inner."]);
    const values = (definition.types.get("E")?.type as EnumType).values;
    expect(values.map((value) => value.doc)).toEqual([["Doc of one."], []]);
  });

  it("appends a comment at the end of a field's line to that field's doc", () => {
    const definition = parseInterface(
      [
        "interface a.b",
        "type S (",
        "  # Above.",
        "  x: int, # after the comma",
        "  y: (a: int, b: int), # after a nested struct",
        "  z: int # last field, no comma",
        ")",
      ].join("\n"),
    );
    const struct = definition.types.get("S")?.type as StructType;
    expect(struct.fields.map((field) => field.doc)).toEqual([
      ["Above.", "after the comma"],
      ["after a nested struct"],
      ["last field, no comma"],
    ]);
    const y = struct.fields[1]?.type as StructType;
    expect(y.fields.map((field) => field.doc)).toEqual([[], []]);
  });

  it("appends trailing comments on enum values, members and the interface line", () => {
    const definition = parseInterface(
      [
        "interface a.b # the interface",
        "# Modes.",
        "type Mode (fast, slow) # a member",
        "type Level (",
        "  low, # a value",
        "  high # the last value",
        ")",
      ].join("\n"),
    );
    expect(definition.doc).toEqual(["the interface"]);
    expect(definition.types.get("Mode")?.doc).toEqual(["Modes.", "a member"]);
    const values = (definition.types.get("Level")?.type as EnumType).values;
    expect(values.map((value) => value.doc)).toEqual([["a value"], ["the last value"]]);
  });

  it("gives a comment after an opening parenthesis to what the parentheses belong to", () => {
    const definition = parseInterface(
      [
        "interface a.b",
        "method Run( # runs it",
        "  command: string,",
        "  options: ( # how",
        "    verbose: bool",
        "  )",
        ") -> ()",
      ].join("\n"),
    );
    const method = definition.methods.get("Run");
    expect(method?.doc).toEqual(["runs it"]);
    expect(method?.input.fields.map((field) => field.doc)).toEqual([[], ["how"]]);
  });

  it("drops comments that document nothing", () => {
    const definition = parseInterface(
      [
        "interface a.b",
        "type S (",
        "  x: int",
        "  # before the closing parenthesis",
        ")",
        "",
        "# at the end of the file",
      ].join("\n"),
    );
    const struct = definition.types.get("S")?.type as StructType;
    expect(struct.fields[0]?.doc).toEqual([]);
    expect(definition.members[0]?.doc).toEqual([]);
  });

  it("removes trailing whitespace from comment lines", () => {
    expect(parseInterface("# doc   \t\ninterface a.b").doc).toEqual(["doc"]);
  });
});
