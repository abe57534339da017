import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactInteger, mayHoldBigIntegers, parseJsonExact } from "../../../src/protocol/exact-json.js";
import { JSON_PARSE_MISREADS_ESCAPED_KEYS } from "../../../src/protocol/parse-json.js";

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

function attempt(parse: (text: string) => unknown, text: string): Outcome {
  try {
    return { ok: true, value: parse(text) };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Where `actual` and `expected` first differ, or undefined when they are the same: the same
 * primitives (by Object.is, so -0 is not 0), the same prototypes, and the same own properties in
 * the same order with the same attributes (so a `__proto__` own property is not a prototype).
 */
function difference(actual: unknown, expected: unknown, path = "$"): string | undefined {
  if (typeof actual !== "object" || actual === null || typeof expected !== "object" || expected === null) {
    return Object.is(actual, expected) ? undefined : `${path}: ${String(actual)} is not ${String(expected)}`;
  }
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return `${path}: another prototype`;
  const actualKeys = Reflect.ownKeys(actual);
  const expectedKeys = Reflect.ownKeys(expected);
  if (actualKeys.join("\0") !== expectedKeys.join("\0")) return `${path}: keys ${actualKeys.join()} are not ${expectedKeys.join()}`;
  for (const key of expectedKeys) {
    const a = Object.getOwnPropertyDescriptor(actual, key);
    const e = Object.getOwnPropertyDescriptor(expected, key);
    const at = `${path}[${JSON.stringify(String(key))}]`;
    if (a === undefined || e === undefined) return `${at}: missing`;
    if (a.writable !== e.writable || a.enumerable !== e.enumerable || a.configurable !== e.configurable || "get" in a) {
      return `${at}: other attributes`;
    }
    const inner = difference(a.value, e.value, at);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/**
 * A picture of a parsed value that JSON carries whole: -0, arrays, and objects as their own keys
 * in order (a `__proto__` own key included) with their values; any other prototype is named.
 * Plain JavaScript, so that a fresh process can run it from its source.
 */
function picture(value: unknown): unknown {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : value;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return { array: value.map(picture) };
  if (Object.getPrototypeOf(value) !== Object.prototype) return "another prototype";
  return { object: Reflect.ownKeys(value).map((key) => [key, picture(Object.getOwnPropertyDescriptor(value, key)?.value)]) };
}

/**
 * What JSON.parse gives for `text` in a process that has parsed nothing else, as a picture. Where
 * JSON.parse misreads escaped keys after others (Node 24, see src/protocol/parse-json.ts), the
 * texts this file parsed before can make it wrong here. The text travels as a JSON string, so
 * lone surrogates survive the pipe.
 */
function freshJsonParse(text: string): string {
  const program = `const picture = ${picture.toString()};
    const text = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
    process.stdout.write(JSON.stringify(picture(JSON.parse(text))));`;
  return execFileSync(process.execPath, ["-e", program], { input: JSON.stringify(text), encoding: "utf8" });
}

/** Asserts that parseJsonExact does with `text` what JSON.parse does. */
function expectSameAsJsonParse(text: string): void {
  const expected = attempt(JSON.parse, text);
  const actual = attempt(parseJsonExact, text);
  if (!expected.ok) {
    expect(actual.ok, `parsed invalid JSON ${JSON.stringify(text)}`).toBe(false);
    if (!actual.ok) expect(actual.error).toBeInstanceOf(SyntaxError);
    return;
  }
  if (!actual.ok) throw new Error(`threw on valid JSON ${JSON.stringify(text)}: ${String(actual.error)}`);
  const differs = difference(actual.value, expected.value);
  if (differs !== undefined && JSON_PARSE_MISREADS_ESCAPED_KEYS) {
    // This process's JSON.parse may be the one that is wrong: ask one that has parsed nothing else.
    expect(JSON.stringify(picture(actual.value)), `for ${JSON.stringify(text)} (${differs})`).toBe(freshJsonParse(text));
    return;
  }
  expect(differs, `for ${JSON.stringify(text)}`).toBeUndefined();
}

// ---------------------------------------------------------------------------------------------
// Generators of JSON text that JSON.stringify does not write: any whitespace, every escape,
// duplicate and special keys, and numbers of every form, big integers among them.

const whitespace = fc.array(fc.constantFrom(" ", "\t", "\r", "\n"), { maxLength: 3 }).map((s) => s.join(""));

const hex4 = fc.integer({ min: 0, max: 0xffff }).chain((code) =>
  fc.boolean().map((upper) => {
    const digits = code.toString(16).padStart(4, "0");
    return upper ? digits.toUpperCase() : digits;
  }),
);

/** The body of a string literal, a piece at a time. */
const stringPiece = fc.oneof(
  fc.string({ unit: "binary", maxLength: 6 }).map((s) => s.replace(/["\\\u0000-\u001f]/g, "_")),
  fc.constantFrom('\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\u2028", "\u00e9", "😀"),
  hex4.map((digits) => `\\u${digits}`),
  fc.constantFrom("\\ud83d\\ude00", "\\uD800", "\\udfff", "\\ud800\\u0041", "\ud800", "\udc00x"),
);
const stringLiteral = fc.array(stringPiece, { maxLength: 5 }).map((pieces) => `"${pieces.join("")}"`);

const specialKey = fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "0", "1", "length", "a", "");
const keyLiteral = fc.oneof(specialKey.map((key) => JSON.stringify(key)), specialKey.map((key) => `"${key.replace(/_/g, "\\u005f")}"`), stringLiteral);

const digits = (min: number, max: number) =>
  fc.array(fc.constantFrom(..."0123456789"), { minLength: min, maxLength: max }).map((d) => d.join(""));
const numberLiteral = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }).map(String),
  fc
    .tuple(fc.constantFrom("", "-"), fc.oneof(fc.constant("0"), fc.tuple(fc.constantFrom(..."123456789"), digits(0, 25)).map(([a, b]) => a + b)),
      fc.option(digits(1, 20), { nil: undefined }), fc.option(fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), digits(1, 4)), { nil: undefined }))
    .map(([sign, int, fraction, exponent]) => `${sign}${int}${fraction === undefined ? "" : `.${fraction}`}${exponent === undefined ? "" : exponent.join("")}`),
  fc.constantFrom("-0", "9007199254740991", "9007199254740992", "-9007199254740992", "9007199254740993", "1E400", "-1e-400", "0.0000"),
);

const { jsonText } = fc.letrec<{ jsonText: string; array: string; object: string }>((tie) => ({
  jsonText: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.oneof(numberLiteral, stringLiteral, fc.constantFrom("true", "false", "null")),
    tie("array"),
    tie("object"),
  ),
  array: fc
    .tuple(fc.array(fc.tuple(whitespace, tie("jsonText"), whitespace), { maxLength: 5 }), whitespace)
    .map(([items, empty]) => `[${items.length === 0 ? empty : items.map(([a, v, b]) => a + v + b).join(",")}]`),
  object: fc
    .tuple(fc.array(fc.tuple(whitespace, keyLiteral, whitespace, whitespace, tie("jsonText"), whitespace), { maxLength: 5 }), whitespace)
    .map(([members, empty]) => `{${members.length === 0 ? empty : members.map(([a, k, b, c, v, d]) => `${a}${k}${b}:${c}${v}${d}`).join(",")}}`),
}));
const paddedJsonText = fc.tuple(whitespace, jsonText, whitespace).map(([a, text, b]) => a + text + b);

/** Text that is mostly not JSON: JSON with one character deleted, inserted or replaced. */
const jsonAlphabet = fc.constantFrom(..."{}[]\",:0123456789-+.eE \t\r\n\\/ubfnrtalsx\u00a0\ufeff\u0000\u001f'");
const brokenJsonText = fc
  .tuple(paddedJsonText, fc.nat(), jsonAlphabet, fc.constantFrom("delete", "insert", "replace", "truncate"))
  .map(([text, at, char, how]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (how === "delete") return text.slice(0, i) + text.slice(i + 1);
    if (how === "insert") return text.slice(0, i) + char + text.slice(i);
    if (how === "replace") return text.slice(0, i) + char + text.slice(i + 1);
    return text.slice(0, i);
  });

describe("parseJsonExact gives what JSON.parse gives", () => {
  it("for the JSON.stringify of every JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, pretty) => {
        expectSameAsJsonParse(pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value));
      }),
      { numRuns: 500 },
    );
  });

  it("for JSON text with any whitespace, escapes, keys and numbers", () => {
    fc.assert(fc.property(paddedJsonText, expectSameAsJsonParse), { numRuns: 1000 });
  });

  it("even where this process's JSON.parse misreads escaped keys after others (Node 24)", () => {
    JSON.parse('{"h":[],"\\\\":0}');
    expectSameAsJsonParse('{"h":1,"\\n":2}');
    expect(Object.keys(parseJsonExact('{"h":1,"\\n":2}') as object)).toEqual(["h", "\n"]);
  });

  it("for arbitrary strings, throwing a SyntaxError whenever JSON.parse throws", () => {
    fc.assert(fc.property(brokenJsonText, expectSameAsJsonParse), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: jsonAlphabet, maxLength: 12 }), expectSameAsJsonParse), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: "binary" }), expectSameAsJsonParse), { numRuns: 300 });
  });

  it.each([
    "", " ", "01", "-01", "1.", ".5", "+1", "-", "-a", "1e", "1e+", "1.e3", "0x10", "NaN", "Infinity", "-Infinity",
    "[1,]", "[,1]", "[1 2]", "[", "]", "[1", "[1,", '{"a":1,}', "{a:1}", '{"a" 1}', '{"a":1 "b":2}', '{"a"}', '{"a":}', "{,}",
    "{", '{"a":1', "'a'", '"\\x"', '"\\u12G4"', '"\\u12"', '"\\', '"\t"', '"\n"', '"\u0000"', '"abc', "nul", "truex", "tru", "True",
    "\u00a01", "\ufeff1", "\u20281", "1 2", "\v1", "\f1", "//1\n1", "[1]]", "{}}", "1,", "undefined",
    "[1}", '{"a":1]', "[}", "{]", "[{]}", '{"a":[}]', '[{"a":1]]',
  ])("rejects %j", (text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(() => parseJsonExact(text)).toThrow(SyntaxError);
  });

  it.each([
    " \t\r\n1\n", "-0", "0", "1E5", "1e-5", "-1.5E+300", "1e400", "2.2250738585072011e-308", "0.1000000000000000055511151231257827",
    "9007199254740993", "-9007199254740993", "123456789012345678901234567890",
    '"\\ud800"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"', '"\ud800"', '"\u2028\u2029"', '"\\u0000\\u001F\\u00e9\\u00E9"', '"\\"\\\\\\/\\b\\f\\n\\r\\t"',
    '{"__proto__":{"x":1}}', '{"__proto__":1,"__proto__":2}', '[{"__proto__":null}]', '{"__proto__":[]}', '{"a":1,"a":2,"b":3,"a":4}',
    '{"2":1,"1":2,"b":3,"0":4}', '{"constructor":1,"toString":2,"hasOwnProperty":3,"valueOf":{}}', "[[[]],{},[{}]]", '{"":""}',
  ])("parses %j", (text) => {
    expectSameAsJsonParse(text);
  });

  it("makes a __proto__ key an own property, never the prototype", () => {
    const parsed = parseJsonExact('{"__proto__":{"polluted":true},"a":[{"__proto__":null}]}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(parsed, "__proto__")?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(Object.keys(parsed)).toEqual(["__proto__", "a"]);
  });
});

describe("exactInteger", () => {
  it("records the literals of integers beyond 2^53 − 1 in an array, by index", () => {
    const parsed = parseJsonExact("[9007199254740993, -9223372036854775808, 18446744073709551615, 1]") as unknown[];
    expect(parsed).toEqual([9007199254740992, -9223372036854775808, 18446744073709551615, 1]);
    expect(exactInteger(parsed, 0)).toBe("9007199254740993");
    expect(exactInteger(parsed, 1)).toBe("-9223372036854775808");
    expect(exactInteger(parsed, 2)).toBe("18446744073709551615");
    expect(exactInteger(parsed, "2")).toBe("18446744073709551615");
    expect(exactInteger(parsed, 3)).toBeUndefined();
    expect(exactInteger(parsed, 4)).toBeUndefined();
    expect(exactInteger(parsed, "02")).toBeUndefined();
  });

  it("records them in nested objects, by key", () => {
    const parsed = parseJsonExact('{"a":{"b":9007199254740993,"c":"9007199254740993","0":-9007199254740992}}') as { a: object };
    expect(exactInteger(parsed.a, "b")).toBe("9007199254740993");
    expect(exactInteger(parsed.a, "0")).toBe("-9007199254740992");
    expect(exactInteger(parsed.a, 0)).toBe("-9007199254740992");
    expect(exactInteger(parsed.a, "c")).toBeUndefined();
    expect(exactInteger(parsed, "a")).toBeUndefined();
  });

  it("records the boundary, 2^53, and a __proto__ key", () => {
    const parsed = parseJsonExact('[9007199254740992,-9007199254740992,9007199254740991,-9007199254740991,{"__proto__":99999999999999999}]') as [
      number, number, number, number, object,
    ];
    expect([0, 1, 2, 3].map((i) => exactInteger(parsed, i))).toEqual(["9007199254740992", "-9007199254740992", undefined, undefined]);
    expect(exactInteger(parsed[4], "__proto__")).toBe("99999999999999999");
  });

  it.each(["9007199254740991", "-9007199254740991", "1e20", "12345678901234567.5", "9007199254740993e0", "9007199254740993.0", "1E+17", "0", '"12345678901234567"'])(
    "does not record %s",
    (literal) => {
      const parsed = parseJsonExact(`{"a":[${literal}],"b":${literal}}`) as { a: unknown[] };
      expect(exactInteger(parsed.a, 0)).toBeUndefined();
      expect(exactInteger(parsed, "b")).toBeUndefined();
    },
  );

  it("keeps the record of the last of duplicate keys only", () => {
    const first = parseJsonExact('{"a":9007199254740993,"a":1}') as object;
    expect(exactInteger(first, "a")).toBeUndefined();
    const last = parseJsonExact('{"a":1,"a":9007199254740995,"b":[],"a":18446744073709551615}') as object;
    expect(exactInteger(last, "a")).toBe("18446744073709551615");
    const container = parseJsonExact('{"a":9007199254740993,"a":{}}') as object;
    expect(exactInteger(container, "a")).toBeUndefined();
  });

  it("knows nothing of a top-level number or of other objects", () => {
    expect(parseJsonExact("9007199254740993")).toBe(9007199254740992);
    expect(exactInteger([9007199254740992], 0)).toBeUndefined();
    expect(exactInteger(JSON.parse("[9007199254740993]") as object, 0)).toBeUndefined();
  });

  it("records exactly the integers beyond 2^53 − 1 of any value", () => {
    type Tree = bigint | string | Tree[] | { readonly members: [string, Tree][] };
    const big = fc.oneof(
      fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
      fc.bigInt({ min: -(1n << 54n), max: 1n << 54n }),
      fc.bigInt({ min: 2n ** 53n - 3n, max: 2n ** 53n + 3n }).chain((b) => fc.constantFrom(b, -b)),
    );
    const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
      tree: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.oneof(big, fc.string()),
        fc.array(tie("tree"), { maxLength: 5 }),
        fc.uniqueArray(fc.tuple(fc.oneof(fc.string(), specialKey), tie("tree")), { selector: ([key]) => key, maxLength: 5 }).map((members) => ({ members })),
      ),
    }));
    const write = (t: Tree): string =>
      typeof t === "bigint" ? String(t)
      : typeof t === "string" ? JSON.stringify(t)
      : Array.isArray(t) ? `[${t.map(write).join(",")}]`
      : `{${t.members.map(([key, value]) => `${JSON.stringify(key)}:${write(value)}`).join(",")}}`;
    const MAX = BigInt(Number.MAX_SAFE_INTEGER);
    /** Checks `parsed` against `t`, returning how many literals should have been recorded. */
    const check = (t: Tree, parsed: unknown): number => {
      if (typeof t !== "object") return 0;
      let recorded = 0;
      const entries: [string | number, Tree][] = Array.isArray(t) ? t.map((item, i) => [i, item]) : t.members;
      for (const [key, item] of entries) {
        const value = (parsed as Record<string | number, unknown>)[key];
        if (typeof item === "bigint") {
          expect(value).toBe(Number(item));
          const beyond = item > MAX || item < -MAX;
          expect(exactInteger(parsed as object, key)).toBe(beyond ? String(item) : undefined);
          expect(exactInteger(parsed as object, String(key))).toBe(beyond ? String(item) : undefined);
          if (beyond) recorded++;
        } else {
          recorded += check(item, value);
        }
      }
      return recorded;
    };
    fc.assert(
      fc.property(tree, (t) => {
        const text = write(t);
        const parsed = parseJsonExact(text);
        expect(difference(parsed, JSON.parse(text))).toBeUndefined();
        if (check(t, parsed) > 0) expect(mayHoldBigIntegers(text)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe("parseJsonExact on hostile input", () => {
  const DEPTH = 100_000;

  /** How deep `value` nests, through first array items or object members. */
  function depth(value: unknown): number {
    let levels = 0;
    let at = value;
    while (typeof at === "object" && at !== null) {
      levels++;
      at = Array.isArray(at) ? at[0] : Object.values(at)[0];
    }
    return levels;
  }

  it.each([
    ["unclosed arrays", "[".repeat(DEPTH), undefined],
    ["unclosed objects", '{"a":'.repeat(DEPTH), undefined],
    ["nested arrays", `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`, DEPTH],
    ["nested objects", `${'{"a":'.repeat(DEPTH)}1${"}".repeat(DEPTH)}`, DEPTH],
    ["arrays and objects", `${'[{"__proto__":'.repeat(DEPTH)}[]${"}]".repeat(DEPTH)}`, 2 * DEPTH + 1],
    ["nested arrays closed wrongly", `${"[".repeat(DEPTH)}${"]".repeat(DEPTH - 1)}}`, undefined],
  ])("ends %s with a result or a SyntaxError, not a RangeError", (_what, text, expectedDepth) => {
    const outcome = attempt(parseJsonExact, text);
    if (expectedDepth === undefined) {
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.error).toBeInstanceOf(SyntaxError);
    } else {
      if (!outcome.ok) throw outcome.error;
      expect(depth(outcome.value)).toBe(expectedDepth);
    }
  });

  // The last column: whether to compare with JSON.parse (not for nesting too deep for the
  // recursive comparison).
  it.each<[string, (n: number) => string, boolean]>([
    ["deep nesting", (n) => `${"[".repeat(n / 2)}${"]".repeat(n / 2)}`, false],
    ["deep objects", (n) => `${'{"":'.repeat(n / 5)}0${"}".repeat(n / 5)}`, false],
    ["a long string", (n) => `"${"é".repeat(n)}"`, true],
    ["dense escapes", (n) => `"${"\\n\\u00e9".repeat(n / 8)}"`, true],
    ["escapes between short runs", (n) => `"${"abcdefghijklmnopqrstuvwxyz01234\\t".repeat(n / 33)}"`, true],
    ["many keys", (n) => `{${Array.from({ length: n / 10 }, (_, i) => `"k${i}":${i}`).join(",")}}`, true],
    ["one key many times", (n) => `{${'"a":1,'.repeat(n / 6)}"a":9007199254740993}`, true],
    ["many big integers", (n) => `[${Array.from({ length: n / 21 }, (_, i) => `${10n ** 19n + BigInt(i)}`).join(",")}]`, true],
    ["many digits", (n) => `[1${"0".repeat(n)}]`, true],
  ])("parses a megabyte of %s", (_what, shape, compare) => {
    // No timing here (speed belongs to benchmarks): linear time parses a megabyte well within a
    // second, while quadratic time would take minutes and run into the test's timeout.
    const text = shape(1 << 20);
    const parsed = parseJsonExact(text);
    if (compare) expect(difference(parsed, JSON.parse(text))).toBeUndefined();
  });
});

describe("mayHoldBigIntegers", () => {
  it.each([
    ["the smallest big integer", "9007199254740993"],
    ["16 digits", "1234567890123456"],
    ["a big integer in JSON", '{"a":[1,12345678901234567]}'],
    ["16 digits at the end of 1000 letters", `${"x".repeat(1000)}1234567890123456`],
    ["16 digits at the start", `1234567890123456${"x".repeat(1000)}`],
    ["16 digits after a hundred runs of 15", `${"123456789012345,".repeat(100)}1234567890123456`],
    ["16 digits in a string", '"0000000000000000"'],
    ["a fraction of 17 digits", "0.12345678901234567"],
  ])("is true for %s", (_what, text) => {
    expect(mayHoldBigIntegers(text)).toBe(true);
  });

  it.each([
    ["the empty string", ""],
    ["a digit", "1"],
    ["15 digits", "900719925474099"],
    ["minus 15 digits", "-900719925474099"],
    ["15 digits and one", "123456789012345 6"],
    ["a fraction of 10 and 10 digits", "1234567890.1234567890"],
    ["1e300", "1e300"],
    ["a thousand runs of 15 digits", "123456789012345,".repeat(1000)],
    ["100,000 letters", "x".repeat(100_000)],
  ])("is false for %s", (_what, text) => {
    expect(mayHoldBigIntegers(text)).toBe(false);
  });

  it("is true exactly when the text has a run of 16 digits", () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom(..."0123456789"), fc.constantFrom(",", "x", ".", "/", ":", "\u0660")), maxLength: 80 });
    fc.assert(
      fc.property(text, (t) => {
        expect(mayHoldBigIntegers(t)).toBe(/[0-9]{16}/.test(t));
      }),
      { numRuns: 3000 },
    );
  });
});
