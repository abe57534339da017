/**
 * The `bigint` option: which `int` fields are generated as `bigint`, what the descriptor says,
 * and that every selector that does not select an `int` is refused.
 */
import { describe, expect, it } from "vitest";
import { generate } from "@varlink-ts/codegen";
import type { GenerateOptions } from "@varlink-ts/codegen";

const SOURCE = `# Limits
interface org.example.limits

type Owner (uid: int, name: string)

type Limit (
  max: int,
  hits: int,
  owner: Owner,
  history: []int,
  per_user: [string]?int,
  samples: [](at: int, value: float),
  window: ?(start: int, range: (from: int, to: int), label: string),
  kind: (soft, hard),
  name: string
)

method Add(total: int, values: []int) -> (total: int, count: int)

method Get(name: string) -> (limit: Limit, usage: (bytes: int, files: int))

method Only(input: int) -> (output: int)

error Exceeded (limit: int, attempts: int)
`;

/** An interface whose name is a prefix of the first one's member selectors. */
const NESTED = `interface org.example.limits.Types

type Counter (value: int, name: string)
`;

const INPUTS = [
  { path: "org.example.limits.varlink", source: SOURCE },
  { path: "org.example.limits.Types.varlink", source: NESTED },
];

/** The generated module of `org.example.limits` for `bigint` selectors. */
async function limits(bigint: readonly string[], options: GenerateOptions = {}): Promise<string> {
  const files = await generate(INPUTS, { ...options, bigint });
  const file = files.find((candidate) => candidate.path === "org.example.limits.ts");
  if (file === undefined) throw new Error("org.example.limits.ts was not generated");
  return file.content;
}

/** The body of `export interface <name> { ... }`, one property a line, TSDoc left out. */
function declaration(module: string, name: string): string[] {
  const match = new RegExp(`^export interface ${name} \\{\\n([^]*?)^\\}`, "m").exec(module);
  if (match === null) throw new Error(`no interface ${name}`);
  return (match[1] ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The descriptor's `bigint` entry, or undefined when it has none. */
function descriptorEntry(module: string): string | undefined {
  return /^ {2}bigint: ([^]*?),\n\}\);/m.exec(module)?.[1]?.replace(/\s+/g, " ");
}

const Q = "org.example.limits";

describe("bigint option", () => {
  it("changes nothing when no selector is given", async () => {
    const module = await limits([]);
    expect(module).not.toContain("bigint");
    expect(declaration(module, "Limit")).toContain("max: number;");
    expect(module).toEqual(await limits([], {}));
  });

  it("selects every int of an interface, in every declaration, and says `true`", async () => {
    const module = await limits([Q]);
    // The one `number` left is the `float`.
    expect([...module.matchAll(/\bnumber\b/g)]).toHaveLength(1);
    expect(declaration(module, "Owner")).toEqual(["uid: bigint;", "name: string;"]);
    expect(declaration(module, "Limit")).toContain("per_user: Record<string, bigint | null>;");
    expect(declaration(module, "LimitSamples")).toEqual(["at: bigint;", "value: number;"]);
    expect(declaration(module, "AddResult")).toEqual(["total: bigint;", "count: bigint;"]);
    expect(declaration(module, "ExceededParameters")).toEqual([
      "limit: bigint;",
      "attempts: bigint;",
    ]);
    expect(descriptorEntry(module)).toBe("true");
    expect(module).toContain("/** Every `int` of the interface is a `bigint`");
    // A whole interface makes its other selectors redundant; they are still checked.
    expect(await limits([Q, `${Q}.Limit.max`])).toEqual(module);
  });

  it("selects a type's field, leaving its other fields numbers", async () => {
    const module = await limits([`${Q}.Limit.max`]);
    const limit = declaration(module, "Limit");
    expect(limit).toContain("max: bigint;");
    expect(limit).toContain("hits: number;");
    expect(descriptorEntry(module)).toBe('["Limit.max"]');
  });

  it("selects a method's field in its parameters and its result", async () => {
    const module = await limits([`${Q}.Add.total`]);
    expect(declaration(module, "AddParameters")).toEqual(["total: bigint;", "values: number[];"]);
    expect(declaration(module, "AddResult")).toEqual(["total: bigint;", "count: number;"]);
    // A field only one of them has is enough.
    const only = await limits([`${Q}.Only.input`, `${Q}.Only.output`]);
    expect(declaration(only, "OnlyParameters")).toEqual(["input: bigint;"]);
    expect(declaration(only, "OnlyResult")).toEqual(["output: bigint;"]);
  });

  it("selects an error's field", async () => {
    const module = await limits([`${Q}.Exceeded.limit`]);
    expect(declaration(module, "ExceededParameters")).toEqual([
      "limit: bigint;",
      "attempts: number;",
    ]);
  });

  it("makes every int in an array, a map or a nullable of a selected field a bigint", async () => {
    const module = await limits([`${Q}.Add.values`, `${Q}.Limit.history`, `${Q}.Limit.per_user`]);
    expect(declaration(module, "AddParameters")).toEqual(["total: number;", "values: bigint[];"]);
    const limit = declaration(module, "Limit");
    expect(limit).toContain("history: bigint[];");
    expect(limit).toContain("per_user: Record<string, bigint | null>;");
    expect(limit).toContain("max: number;");
  });

  it("follows a selected field into anonymous structs, at any depth, and into arrays of them", async () => {
    const module = await limits([`${Q}.Limit.window`, `${Q}.Limit.samples`]);
    expect(declaration(module, "LimitWindow")).toEqual([
      "start: bigint;",
      "range: LimitWindowRange;",
      "label: string;",
    ]);
    expect(declaration(module, "LimitWindowRange")).toEqual(["from: bigint;", "to: bigint;"]);
    expect(declaration(module, "LimitSamples")).toEqual(["at: bigint;", "value: number;"]);
  });

  it("selects a field inside an anonymous struct by its path", async () => {
    const module = await limits([`${Q}.Get.usage.bytes`, `${Q}.Limit.window.range.to`]);
    expect(declaration(module, "GetResultUsage")).toEqual(["bytes: bigint;", "files: number;"]);
    expect(declaration(module, "LimitWindow")).toContain("start: number;");
    expect(declaration(module, "LimitWindowRange")).toEqual(["from: number;", "to: bigint;"]);
    expect(descriptorEntry(module)).toBe('["Get.usage.bytes", "Limit.window.range.to"]');
  });

  it("does not follow a named type: its fields have their own selectors", async () => {
    const module = await limits([`${Q}.Owner.uid`]);
    expect(declaration(module, "Owner")).toEqual(["uid: bigint;", "name: string;"]);
    expect(declaration(module, "Limit")).toContain("owner: Owner;");
    expect(declaration(module, "Limit")).toContain("max: number;");
    // Selecting a field of a named type selects nothing, so it is refused.
    await expect(limits([`${Q}.Get.limit`])).rejects.toThrow(
      `bigint selector "${Q}.Get.limit": Get.limit is of the named type Limit, whose fields have selectors of their own ("${Q}.Limit.<field>")`,
    );
  });

  it("lists the selectors in the descriptor relative to the interface, sorted, once each", async () => {
    const module = await limits([
      `${Q}.Limit.max`,
      `${Q}.Exceeded.limit`,
      `${Q}.Add.total`,
      `${Q}.Limit.max`,
    ]);
    expect(descriptorEntry(module)).toBe('["Add.total", "Exceeded.limit", "Limit.max"]');
    expect(module).toContain(
      "/** The `int` fields that are `bigint`s, sent and received losslessly. */",
    );
    // Without the descriptor (no client, no server), the types still follow the option.
    const typesOnly = await limits([`${Q}.Limit.max`], { emit: ["types"] });
    expect(typesOnly).not.toContain("defineInterface");
    expect(declaration(typesOnly, "Limit")).toContain("max: bigint;");
  });

  it("gives a selector to the interface whose name is its longest prefix", async () => {
    const files = await generate(INPUTS, { bigint: [`${Q}.Types.Counter.value`] });
    const nested = files.find((file) => file.path === "org.example.limits.Types.ts")?.content ?? "";
    const outer = files.find((file) => file.path === "org.example.limits.ts")?.content ?? "";
    expect(declaration(nested, "Counter")).toEqual(["value: bigint;", "name: string;"]);
    expect(descriptorEntry(nested)).toBe('["Counter.value"]');
    expect(outer).not.toContain("bigint");
    // The whole nested interface is not the outer one's member `Types`.
    const whole = await generate(INPUTS, { bigint: [`${Q}.Types`] });
    expect(whole.find((file) => file.path === "org.example.limits.Types.ts")?.content).toContain(
      "bigint: true,",
    );
  });

  it.each([
    [
      "org.example.nope.Limit.max",
      `bigint selector "org.example.nope.Limit.max" names no interface among the inputs`,
    ],
    ["org.example", `bigint selector "org.example" names no interface among the inputs`],
    [
      "org.example.limitsX.Limit.max",
      `bigint selector "org.example.limitsX.Limit.max" names no interface among the inputs`,
    ],
    [`${Q}.Nope.max`, `bigint selector "${Q}.Nope.max": ${Q} has no type, method or error Nope`],
    [
      `${Q}.Limit`,
      `bigint selector "${Q}.Limit": name a field of the type Limit ("${Q}.Limit.<field>"), or the whole interface ("${Q}")`,
    ],
    [`${Q}.Add`, `bigint selector "${Q}.Add": name a field of the method Add`],
    [`${Q}.Limit.nope`, `bigint selector "${Q}.Limit.nope": Limit has no field nope`],
    [
      `${Q}.Add.nope`,
      `bigint selector "${Q}.Add.nope": Add has no field nope in its parameters or its result`,
    ],
    [`${Q}.Exceeded.nope`, `bigint selector "${Q}.Exceeded.nope": Exceeded has no field nope`],
    [
      `${Q}.Limit.window.nope`,
      `bigint selector "${Q}.Limit.window.nope": Limit.window has no field nope`,
    ],
    [
      `${Q}.Limit.max.inner`,
      `bigint selector "${Q}.Limit.max.inner": Limit.max is not an anonymous struct, so it has no field inner`,
    ],
    [
      `${Q}.Limit.owner.uid`,
      `bigint selector "${Q}.Limit.owner.uid": Limit.owner is of the named type Owner: select its fields as "${Q}.Owner.uid"`,
    ],
    [`${Q}.Limit.name`, `bigint selector "${Q}.Limit.name": Limit.name holds no int`],
    [`${Q}.Limit.kind`, `bigint selector "${Q}.Limit.kind": Limit.kind holds no int`],
    [`${Q}.Get.name`, `bigint selector "${Q}.Get.name": Get.name holds no int`],
    [
      `${Q}.Limit.window.label`,
      `bigint selector "${Q}.Limit.window.label": Limit.window.label holds no int`,
    ],
  ])("refuses %s", async (selector, message) => {
    const failure = await limits([selector]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as TypeError).message).toContain(message);
  });

  it("refuses a selector that is not a dotted name, and an enum type's selector", async () => {
    for (const selector of ["", ".Limit.max", `${Q}..max`, `${Q}.Limit.max.`, `${Q}.Limit. max`]) {
      await expect(limits([selector])).rejects.toThrow(
        `bigint selector ${JSON.stringify(selector)} is not a dotted name`,
      );
    }
    await expect(generate(INPUTS, { bigint: Q as unknown as string[] })).rejects.toThrow(
      "bigint must be an array of selectors",
    );
    const withEnum = `interface org.example.enums\ntype Mode (fast, slow)\n`;
    await expect(
      generate([{ source: withEnum }], { bigint: ["org.example.enums.Mode.fast"] }),
    ).rejects.toThrow(
      `bigint selector "org.example.enums.Mode.fast": Mode is an enum, which has no fields`,
    );
  });
});
