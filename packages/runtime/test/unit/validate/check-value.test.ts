import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkParameters,
  checkValue,
  MAX_VALUE_DEPTH,
  parseInterface,
  type InterfaceDefinition,
  type VarlinkType,
} from "@varlink-ts/runtime/idl";

const certification = parseInterface(
  readFileSync(new URL("../../../../../fixtures/interop/org.varlink.certification.varlink", import.meta.url), "utf8"),
);

const local = parseInterface(`interface org.example.check

type Mode (fast, slow)

type Tricky (constructor: string, prototype: ?int)

type Node (value: int, next: ?Node)

method Values(
  b: bool,
  i: int,
  f: float,
  s: string,
  o: object,
  no: ?object,
  a: any,
  na: ?any,
  n: ?string,
  mode: Mode,
  list: []int,
  map: [string]Mode,
  set: [string](),
  tricky: ?Tricky
) -> ()
`);

/** The type of field `name` of method `method`'s input. */
function inputField(definition: InterfaceDefinition, method: string, name: string): VarlinkType {
  const field = definition.methods.get(method)?.input.fields.find((f) => f.name === name);
  if (field === undefined) throw new Error(`no field ${name}`);
  return field.type;
}

const myType: VarlinkType = { kind: "named", name: "MyType", position: { line: 1, column: 1, offset: 0 } };

/** Test09's expected value, from the certification README. */
function goodMyType(): Record<string, unknown> {
  return {
    object: { method: "org.varlink.certification.Test09", parameters: { map: { foo: "Foo", bar: "Bar" } } },
    enum: "two",
    struct: { first: 1, second: "2" },
    array: ["one", "two", "three"],
    dictionary: { foo: "Foo", bar: "Bar" },
    stringset: { one: {}, two: {}, three: {} },
    interface: {
      foo: [null, { foo: "foo", bar: "bar" }, null, { one: "foo", two: "bar" }],
      anon: { foo: true, bar: false },
    },
  };
}

describe("checkValue on primitives", () => {
  const type = (name: string): VarlinkType => inputField(local, "Values", name);

  it("accepts each primitive's values and names the wrong ones", () => {
    expect(checkValue(local, type("b"), true)).toBeUndefined();
    expect(checkValue(local, type("b"), "true", "b")).toEqual({ path: "b", message: "expected a bool, got a string" });
    expect(checkValue(local, type("s"), "")).toBeUndefined();
    expect(checkValue(local, type("s"), 1, "s")).toEqual({ path: "s", message: "expected a string, got an integer" });
    expect(checkValue(local, type("f"), 1)).toBeUndefined();
    expect(checkValue(local, type("f"), 1.5)).toBeUndefined();
    expect(checkValue(local, type("f"), Number.NaN, "f")?.path).toBe("f");
    expect(checkValue(local, type("f"), Number.POSITIVE_INFINITY, "f")?.path).toBe("f");
  });

  it("takes int as a safe integer, refusing one a number cannot hold exactly", () => {
    expect(checkValue(local, type("i"), 0)).toBeUndefined();
    expect(checkValue(local, type("i"), -(2 ** 53) + 1)).toBeUndefined();
    expect(checkValue(local, type("i"), Number.MAX_SAFE_INTEGER)).toBeUndefined();
    // 2^53 + 1 parses to 2^53: refused, never passed on rounded.
    for (const text of ["9007199254740993", "9223372036854775807", "-9223372036854775808"]) {
      expect(checkValue(local, type("i"), JSON.parse(text), "i")).toEqual({
        path: "i",
        message: "integer beyond ±(2^53 − 1), which a JavaScript number cannot hold exactly",
      });
    }
    expect(checkValue(local, type("i"), 1.5, "i")).toEqual({ path: "i", message: "expected an int, got a number" });
    expect(checkValue(local, type("i"), "1", "i")?.path).toBe("i");
  });

  it("takes a BigInt about to be sent as an int within 64 bits", () => {
    expect(checkValue(local, type("i"), 2n ** 64n - 1n)).toBeUndefined();
    expect(checkValue(local, type("i"), -(2n ** 63n))).toBeUndefined();
    expect(checkValue(local, type("i"), 2n ** 64n, "i")).toEqual({ path: "i", message: "int out of the 64-bit range" });
  });

  it("takes object as a JSON object only (UAPI.20), whatever it holds", () => {
    for (const value of [{}, { a: [1] }, { a: null, b: { c: "x" } }, Object.create(null)]) {
      expect(checkValue(local, type("o"), value)).toBeUndefined();
    }
    const refused: [unknown, string][] = [
      [null, "null"],
      [[], "an array"],
      [[{ a: 1 }], "an array"],
      [0, "an integer"],
      ["x", "a string"],
      [true, "a bool"],
      [new Map([["a", 1]]), "a Map"],
      [new Set(["a"]), "a Set"],
      [undefined, "nothing"],
    ];
    for (const [value, got] of refused) {
      expect(checkValue(local, type("o"), value, "o")).toEqual({ path: "o", message: `expected an object, got ${got}` });
    }
  });

  it("takes ?object as absent, null or a JSON object", () => {
    expect(checkValue(local, type("no"), undefined)).toBeUndefined();
    expect(checkValue(local, type("no"), null)).toBeUndefined();
    expect(checkValue(local, type("no"), { a: 1 })).toBeUndefined();
    expect(checkValue(local, type("no"), [1], "no")).toEqual({ path: "no", message: "expected an object, got an array" });
  });

  it("takes any as any JSON value but null (UAPI.20), and ?any null as well", () => {
    for (const value of [0, 1.5, "x", "", false, [], [null], {}, { a: null }]) {
      expect(checkValue(local, type("a"), value)).toBeUndefined();
      expect(checkValue(local, type("na"), value)).toBeUndefined();
    }
    expect(checkValue(local, type("a"), null, "a")).toEqual({ path: "a", message: "expected a value other than null, got null" });
    expect(checkValue(local, type("a"), undefined, "a")).toEqual({ path: "a", message: "missing value" });
    expect(checkValue(local, type("na"), null)).toBeUndefined();
    expect(checkValue(local, type("na"), undefined)).toBeUndefined();
  });

  it("checks object and any fields of a struct by the same rules", () => {
    const values = local.methods.get("Values")!.input;
    const base = {
      b: true, i: 1, f: 1, s: "", o: {}, a: 0, mode: "fast", list: [], map: {}, set: {},
    };
    expect(checkParameters(local, values, base)).toBeUndefined();
    expect(checkParameters(local, values, { ...base, o: [] })).toEqual({ path: "o", message: "expected an object, got an array" });
    expect(checkParameters(local, values, { ...base, a: null })).toEqual({ path: "a", message: "expected a value other than null, got null" });
    const { a: _a, ...withoutAny } = base;
    expect(checkParameters(local, values, withoutAny)).toEqual({ path: "a", message: "missing required field" });
    expect(checkParameters(local, values, { ...base, na: null, no: null })).toBeUndefined();
  });

  it("takes nullable as absent, null or the inner type", () => {
    expect(checkValue(local, type("n"), undefined)).toBeUndefined();
    expect(checkValue(local, type("n"), null)).toBeUndefined();
    expect(checkValue(local, type("n"), "x")).toBeUndefined();
    expect(checkValue(local, type("n"), 1, "n")?.path).toBe("n");
  });

  it("takes enums by value name only", () => {
    expect(checkValue(local, type("mode"), "slow")).toBeUndefined();
    expect(checkValue(local, type("mode"), "medium", "mode")).toEqual({
      path: "mode",
      message: 'expected one of fast, slow, got a string',
    });
    expect(checkValue(local, type("mode"), 0, "mode")?.path).toBe("mode");
  });
});

describe("checkValue on containers", () => {
  const type = (name: string): VarlinkType => inputField(local, "Values", name);

  it("reports array elements and map entries with brackets", () => {
    expect(checkValue(local, type("list"), [1, 2, 3])).toBeUndefined();
    expect(checkValue(local, type("list"), [1, 2, "3"], "list")?.path).toBe("list[2]");
    expect(checkValue(local, type("list"), { 0: 1 }, "list")?.path).toBe("list");
    expect(checkValue(local, type("map"), { a: "fast", b: "slow" })).toBeUndefined();
    expect(checkValue(local, type("map"), { a: "fast", b: "warp" }, "map")?.path).toBe("map[b]");
    expect(checkValue(local, type("map"), ["fast"], "map")?.path).toBe("map");
  });

  it("takes a Map about to be sent for a map and a Set of strings for a set, and nowhere else", () => {
    expect(checkValue(local, type("map"), new Map([["a", "fast"]]))).toBeUndefined();
    expect(checkValue(local, type("map"), new Map([["b", "warp"]]), "map")?.path).toBe("map[b]");
    expect(checkValue(local, type("map"), new Map([[1, "fast"]]), "map")?.path).toBe("map");
    expect(checkValue(local, type("set"), new Set(["one", "two"]))).toBeUndefined();
    expect(checkValue(local, type("set"), new Set([1]), "set")?.path).toBe("set");
    expect(checkValue(local, type("list"), new Set([1]), "list")?.message).toBe("expected an array, got a Set");
    expect(checkValue(local, type("tricky"), new Map(), "t")?.message).toBe("expected an object, got a Map");
  });

  it("takes a set as an object of objects", () => {
    expect(checkValue(local, type("set"), { one: {}, two: {} })).toBeUndefined();
    expect(checkValue(local, type("set"), {})).toBeUndefined();
    expect(checkValue(local, type("set"), { one: true }, "set")).toEqual({
      path: "set[one]",
      message: "expected {}, got a bool",
    });
    expect(checkValue(local, type("set"), ["one"], "set")?.path).toBe("set");
  });

  it("accepts the certification's Test09 value", () => {
    expect(checkValue(certification, myType, goodMyType(), "mytype")).toBeUndefined();
  });

  it("names the offending field at depth", () => {
    const cases: [(value: Record<string, any>) => void, string, string][] = [
      [(v) => (v.interface.anon.foo = "yes"), "mytype.interface.anon.foo", "expected a bool, got a string"],
      [(v) => delete v.interface.anon.bar, "mytype.interface.anon.bar", "missing required field"],
      [(v) => (v.interface.anon.baz = 1), "mytype.interface.anon.baz", "unknown field"],
      [(v) => (v.interface.foo[3].two = "qux"), "mytype.interface.foo[3][two]", "expected one of foo, bar, baz, got a string"],
      [(v) => (v.struct.first = 1.5), "mytype.struct.first", "expected an int, got a number"],
      [(v) => (v.array[2] = null), "mytype.array[2]", "expected a string, got null"],
      [(v) => (v.enum = "four"), "mytype.enum", "expected one of one, two, three, got a string"],
      [(v) => (v.nullable_array_struct = [{ first: 1 }]), "mytype.nullable_array_struct[0].second", "missing required field"],
    ];
    for (const [mutate, path, message] of cases) {
      const value = goodMyType();
      mutate(value);
      expect(checkValue(certification, myType, value, "mytype")).toEqual({ path, message });
    }
  });

  it("accepts nullable fields absent or null", () => {
    const value = goodMyType();
    expect(checkValue(certification, myType, { ...value, nullable: null, nullable_array_struct: null })).toBeUndefined();
    const anon = { foo: null, anon: { foo: true, bar: true } };
    expect(checkValue(certification, myType, { ...value, interface: anon })).toBeUndefined();
  });

  it("follows recursive types and stops at MAX_VALUE_DEPTH", () => {
    const nodeType = local.types.get("Node")!.type;
    let list: unknown = { value: 0 };
    for (let i = 1; i < 10; i++) list = { value: i, next: list };
    expect(checkValue(local, nodeType, list)).toBeUndefined();
    let deep: unknown = { value: 0 };
    for (let i = 0; i < MAX_VALUE_DEPTH + 10; i++) deep = { value: i, next: deep };
    const issue = checkValue(local, nodeType, deep, "list");
    expect(issue?.message).toBe(`value nests deeper than ${MAX_VALUE_DEPTH} levels`);
    expect(issue?.path.startsWith("list.next.next")).toBe(true);
  });
});

describe("checkValue and prototype keys", () => {
  const tricky = (): VarlinkType => local.types.get("Tricky")!.type;

  it("does not find struct fields on Object.prototype", () => {
    expect(checkValue(local, tricky(), {}, "t")).toEqual({ path: "t.constructor", message: "missing required field" });
    expect(checkValue(local, tricky(), { constructor: "x" })).toBeUndefined();
    expect(checkValue(local, tricky(), { constructor: "x", prototype: "y" }, "t")?.path).toBe("t.prototype");
  });

  it("treats __proto__ as an ordinary key and pollutes nothing", () => {
    const map = inputField(local, "Values", "map");
    const parsed: unknown = JSON.parse('{"__proto__": "fast", "constructor": "slow"}');
    expect(checkValue(local, map, parsed)).toBeUndefined();
    const bad: unknown = JSON.parse('{"__proto__": {"polluted": true}}');
    expect(checkValue(local, map, bad, "map")?.path).toBe("map[__proto__]");
    expect(checkValue(local, tricky(), JSON.parse('{"constructor": "x", "__proto__": {"polluted": true}}'), "t")).toEqual({
      path: "t.__proto__",
      message: "unknown field",
    });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("never mutates what it checks", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const before = JSON.stringify(value);
        checkValue(certification, myType, value, "mytype");
        checkParameters(certification, certification.methods.get("Test10")!.input, value);
        expect(JSON.stringify(value)).toBe(before);
      }),
    );
    const frozen = Object.freeze(goodMyType());
    expect(checkValue(certification, myType, frozen)).toBeUndefined();
  });
});

describe("checkParameters", () => {
  const test02 = certification.methods.get("Test02")!.input;
  const start = certification.methods.get("Start")!.input;

  it("treats absent, null and {} the same", () => {
    for (const parameters of [undefined, null, {}]) {
      expect(checkParameters(certification, start, parameters)).toBeUndefined();
      expect(checkParameters(certification, test02, parameters)).toEqual({
        path: "client_id",
        message: "missing required field",
      });
    }
  });

  it("names parameters by field name and rejects unknown ones", () => {
    expect(checkParameters(certification, test02, { client_id: "c", bool: true })).toBeUndefined();
    expect(checkParameters(certification, test02, { client_id: "c", bool: 1 })?.path).toBe("bool");
    expect(checkParameters(certification, test02, { client_id: "c", bool: true, extra: 1 })).toEqual({
      path: "extra",
      message: "unknown field",
    });
    expect(checkParameters(certification, test02, [])).toEqual({ path: "", message: "parameters are not an object" });
  });
});
