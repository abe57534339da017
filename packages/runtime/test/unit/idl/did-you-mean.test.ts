/**
 * "Did you mean" hints: a misspelled keyword or type name is reported with the name it is most
 * likely a typo of, and a word close to nothing keeps the plain message.
 */
import { describe, expect, it } from "vitest";
import { parseInterface, VarlinkSyntaxError } from "@varlink-ts/runtime/idl";

const I = "interface org.example.typo\n";

/** [line, column, reason] of the error `source` throws. */
function where(source: string): [number, number, string] {
  try {
    parseInterface(source);
  } catch (error) {
    if (!(error instanceof VarlinkSyntaxError)) throw error;
    return [error.line, error.column, error.reason];
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(source)}`);
}

describe("did you mean", () => {
  it.each<[string, string, [number, number, string]]>([
    [
      "a dropped letter",
      "interfce org.example.typo\n",
      [1, 1, "unknown keyword 'interfce'; did you mean 'interface'?"],
    ],
    [
      "a capital",
      "Interface org.example.typo\n",
      [1, 1, "unknown keyword 'Interface'; did you mean 'interface'?"],
    ],
    [
      "a member keyword",
      `${I}methd F() -> ()`,
      [2, 1, "unknown keyword 'methd'; did you mean 'method'?"],
    ],
    [
      "two swapped letters",
      `${I}tpye T (x: int)`,
      [2, 1, "unknown keyword 'tpye'; did you mean 'type'?"],
    ],
    [
      "swapped and doubled",
      `${I}erorr E ()`,
      [2, 1, "unknown keyword 'erorr'; did you mean 'error'?"],
    ],
    [
      "a primitive in capitals",
      `${I}type T (x: Strng)`,
      [2, 12, "unknown type 'Strng'; did you mean 'string'?"],
    ],
    [
      "a primitive's case",
      `${I}type T (x: ?Int)`,
      [2, 13, "unknown type 'Int'; did you mean 'int'?"],
    ],
    [
      "a lower-case primitive",
      `${I}type T (x: flaot)`,
      [2, 12, "unknown type 'flaot'; did you mean 'float'?"],
    ],
    [
      "a defined type, used before its definition",
      `${I}method Get() -> (p: []Poitn)\ntype Point (x: int)`,
      [2, 23, "unknown type 'Poitn'; did you mean 'Point'?"],
    ],
  ])("%s", (_name, source, expected) => {
    expect(where(source)).toEqual(expected);
  });

  it("suggests nothing for a word close to no candidate", () => {
    expect(where(`${I}F()`)).toEqual([2, 1, "expected 'type', 'method' or 'error'"]);
    expect(where(`${I}interface a.c`)).toEqual([2, 1, "expected 'type', 'method' or 'error'"]);
    expect(where("method F() -> ()")).toEqual([1, 1, "expected 'interface'"]);
    expect(where(`${I}type T (x: Banana)`)).toEqual([2, 12, "unknown type 'Banana'"]);
    // One letter is one edit from every other: no guess.
    expect(where(`${I}type X ()\ntype T (x: Y)`)).toEqual([3, 12, "unknown type 'Y'"]);
  });

  it("suggests types only, not methods or errors, and prefers the closest", () => {
    expect(where(`${I}method Ping() -> ()\ntype T (x: Pign)`)).toEqual([
      3,
      12,
      "unknown type 'Pign'",
    ]);
    expect(where(`${I}type Items ()\ntype Item ()\ntype T (x: Iten)`)).toEqual([
      4,
      12,
      "unknown type 'Iten'; did you mean 'Item'?",
    ]);
  });
});
