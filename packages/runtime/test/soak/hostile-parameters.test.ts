/**
 * Parameters that do not fit the interface, at every depth of a nested type: each gets
 * `InvalidParameter` naming the exact field, the connection stays usable, and nothing reaches
 * Object.prototype, whatever the keys are called.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogLines, type RawClient, Sandbox } from "@varlink-ts/test-kit";
import { branch, createReliabilityService, leaf, R, Seen } from "./reliability-service.js";

const sandbox = new Sandbox();
const logs = new LogLines();
const seen = new Seen();
let client: RawClient;
let bystander: RawClient;
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype);

beforeAll(async () => {
  const address = await sandbox.listen(createReliabilityService(seen, { logger: logs.logger }));
  const path = address.slice("unix:".length);
  client = await sandbox.raw(path);
  bystander = await sandbox.raw(path);
});
afterAll(async () => {
  // Nothing any test sent may have reached Object.prototype.
  expect(Object.getOwnPropertyNames(Object.prototype)).toEqual(prototypeKeys);
  await sandbox.cleanup();
});

type Json = Record<string, unknown>;

/** Sends a Check call whose parameters are `text` and returns the field InvalidParameter names. */
async function invalidField(text: string): Promise<string> {
  client.send(`{"method":"${R}.Check","parameters":${text}}\0`);
  const reply = JSON.parse(await client.nextText()) as { error?: string; parameters: Json };
  expect(reply.error).toBe("org.varlink.service.InvalidParameter");
  return String(reply.parameters["parameter"]);
}

/** A copy of `value` with the thing at `path` (field names and array indices) replaced. */
function replaced(value: Json, path: readonly (string | number)[], replacement: string): string {
  const marker = "\u0001REPLACED\u0001";
  const copy = structuredClone(value);
  let holder: Json | unknown[] = copy;
  for (const key of path.slice(0, -1)) holder = (holder as Json)[key as string] as Json;
  const last = path[path.length - 1] as string;
  if (replacement === "<absent>") {
    delete (holder as Json)[last];
    return JSON.stringify(copy);
  }
  (holder as Json)[last] = marker;
  return JSON.stringify(copy).replace(JSON.stringify(marker), replacement);
}

/**
 * For each field of a Leaf: raw JSON texts that do not fit it, each with the suffix the issue path
 * gets below the field (an element or entry that is wrong, not the field itself).
 */
const wrongLeafValues: Record<string, [string, string][]> = {
  flag: [["1", ""], ['"true"', ""], ["null", ""], ["[]", ""], ["{}", ""], ["<absent>", ""]],
  // A decimal string is an int (UAPI.20); "1.5", "01" and "1e3" are not decimal integers.
  count: [["1.5", ""], ['"1.5"', ""], ['"01"', ""], ['"1e3"', ""], ["true", ""], ["1e400", ""], ["36893488147419103232", ""], ['"36893488147419103232"', ""], ["<absent>", ""]],
  ratio: [['"0.5"', ""], ["true", ""], ["[0.5]", ""], ["1e400", ""], ["-1e400", ""]],
  label: [["1", ""], ["null", ""], ['["a"]', ""], ["{}", ""]],
  level: [['"medium"', ""], ['"LOW"', ""], ['""', ""], ["0", ""], ["null", ""], ['"__proto__"', ""], ['"toString"', ""]],
  ids: [["{}", ""], ['"1,2"', ""], ["[1.5]", "[0]"], ['[1,"2x"]', "[1]"], ["[1,null]", "[1]"]],
  tags: [["[]", ""], ['"a=b"', ""], ['{"a":1}', "[a]"], ['{"a":"b","c":null}', "[c]"], ['{"__proto__":1}', "[__proto__]"]],
  seen: [["[]", ""], ['{"x":true}', "[x]"], ['{"x":"y"}', "[x]"], ['{"constructor":[]}', "[constructor]"]],
  note: [["1", ""], ["true", ""], ["{}", ""]],
  // An object field takes any JSON object, and nothing else (UAPI.20).
  any: [["<absent>", ""], ["null", ""], ["[]", ""], ['[{"a":1}]', ""], ["1", ""], ['"{}"', ""]],
};

/** Where a Leaf sits in a valid Branch, as a value path and as the issue path that names it. */
const leafPlaces: [readonly (string | number)[], string][] = [
  [["branch", "leaf"], "branch.leaf"],
  [["branch", "leaves", 1], "branch.leaves[1]"],
  [["branch", "byName", "first"], "branch.byName[first]"],
  [["branch", "maybe"], "branch.maybe"],
  [["branch", "nested", "inner"], "branch.nested.inner"],
];

describe("parameters of the wrong shape", () => {
  it("name the wrong field of a Leaf wherever it sits", async () => {
    const parameters = { branch: branch() };
    let checked = 0;
    for (const [place, named] of leafPlaces) {
      for (const [field, wrongs] of Object.entries(wrongLeafValues)) {
        for (const [text, below] of wrongs) {
          const where = `${named}.${field}${below}`;
          expect(await invalidField(replaced(parameters, [...place, field], text)), `${text} at ${where}`).toBe(where);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });

  it("name the container when the container itself is wrong", async () => {
    const parameters = { branch: branch() };
    const cases: [readonly (string | number)[], string, string][] = [
      [["branch"], "null", "branch"],
      [["branch"], "[]", "branch"],
      [["branch"], "<absent>", "branch"],
      [["branch", "leaf"], "[]", "branch.leaf"],
      [["branch", "leaf"], "null", "branch.leaf"],
      [["branch", "leaves"], "{}", "branch.leaves"],
      [["branch", "leaves", 0], '"leaf"', "branch.leaves[0]"],
      [["branch", "byName"], "[]", "branch.byName"],
      [["branch", "byName", "first"], "7", "branch.byName[first]"],
      [["branch", "maybe"], "[]", "branch.maybe"],
      [["branch", "nested"], "[]", "branch.nested"],
      [["branch", "nested", "depth"], '"two"', "branch.nested.depth"],
      [["branch", "nested", "inner"], "<absent>", "branch.nested.inner"],
    ];
    for (const [path, text, where] of cases) {
      expect(await invalidField(replaced(parameters, path, text)), `${text} at ${where}`).toBe(where);
    }
  });

  it("name an unknown field at every depth, whatever it is called", async () => {
    for (const name of ["bogus", "__proto__", "constructor", "prototype", "toString", "hasOwnProperty"]) {
      const extra = `,${JSON.stringify(name)}:{"polluted":true}}`;
      const withExtra = (text: string): string => text.replace(/}$/, extra);
      const parameters = JSON.stringify({ branch: branch() });
      expect(await invalidField(withExtra(parameters))).toBe(name);
      const leafText = JSON.stringify(leaf());
      const inLeaf = JSON.stringify({ branch: { ...branch(), leaf: "LEAF" } }).replace('"LEAF"', withExtra(leafText));
      expect(await invalidField(inLeaf)).toBe(`branch.leaf.${name}`);
      const inAnonymous = JSON.stringify({ branch: { ...branch(), nested: "NESTED" } }).replace(
        '"NESTED"',
        withExtra(JSON.stringify({ inner: leaf(), depth: 1 })),
      );
      expect(await invalidField(inAnonymous)).toBe(`branch.nested.${name}`);
    }
    expect(({} as Json)["polluted"]).toBeUndefined();
  });

  it("leave the connection and the service working", async () => {
    client.send(`{"method":"${R}.Check","parameters":${JSON.stringify({ branch: branch() })}}\0`);
    expect(await client.nextText()).toBe('{"parameters":{"ok":true}}');
    bystander.send(`{"method":"${R}.Ping","parameters":{"ping":"ok"}}\0`);
    expect(await bystander.nextText()).toBe('{"parameters":{"pong":"ok"}}');
    expect(logs.lines).toEqual([]);
  });
});

describe("keys named like Object.prototype's members", () => {
  const hostileKeys = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "__defineGetter__"];

  it("reach the handler as the map's own keys, and pollute nothing", async () => {
    seen.keys.length = 0;
    const map = `{${hostileKeys.map((key) => `"${key}":"${key}-value"`).join(",")}}`;
    client.send(`{"method":"${R}.Keys","parameters":{"map":${map},"constructor":"c","prototype":"p"}}\0`);
    expect(JSON.parse(await client.nextText())).toEqual({ parameters: { keys: hostileKeys } });
    const received = seen.keys[0] as Json;
    const receivedMap = received["map"] as Json;
    expect(Object.hasOwn(receivedMap, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(receivedMap, "__proto__")?.value).toBe("__proto__-value");
    // The key is data, not the object's prototype.
    expect(Object.getPrototypeOf(receivedMap)).toBe(Object.prototype);
    expect(Object.hasOwn(received, "constructor")).toBe(true);
    expect(received["constructor"]).toBe("c");
    expect(received["prototype"]).toBe("p");
    expect(({} as Json)["polluted"]).toBeUndefined();
  });

  it("are checked like any other field or key", async () => {
    const keys = async (text: string): Promise<unknown> => {
      client.send(`{"method":"${R}.Keys","parameters":${text}}\0`);
      return JSON.parse(await client.nextText());
    };
    const invalid = (parameter: string): object => ({
      error: "org.varlink.service.InvalidParameter",
      parameters: { parameter },
    });
    expect(await keys('{"map":{"__proto__":{"polluted":true}}}')).toEqual(invalid("map[__proto__]"));
    expect(await keys('{"map":{"constructor":{}}}')).toEqual(invalid("map[constructor]"));
    expect(await keys('{"map":{},"constructor":{"prototype":{"polluted":true}}}')).toEqual(invalid("constructor"));
    expect(await keys('{"map":{},"prototype":["polluted"]}')).toEqual(invalid("prototype"));
    expect(await keys('{"map":{},"__proto__":{"polluted":true}}')).toEqual(invalid("__proto__"));
    expect(await keys('{"map":{"a":"b"},"constructor":null,"prototype":null}')).toEqual({ parameters: { keys: ["a"] } });
    expect(await invalidField(JSON.stringify({ branch: { ...branch(), byName: "BY" } }).replace('"BY"', '{"__proto__":{"flag":1}}'))).toBe(
      "branch.byName[__proto__].flag",
    );
    expect(({} as Json)["polluted"]).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});
