/**
 * The hash line of generated files: planGeneration() knows each file's input hash without
 * generating, isCurrent() tells a current file from one made from other inputs, options or
 * generator, or edited by hand.
 */
import { describe, expect, it } from "vitest";
import { VarlinkSyntaxError } from "@varlink-ts/runtime/idl";
import { generate, isCurrent, planGeneration } from "@varlink-ts/codegen";
import type { GenerateOptions, GeneratedFile, SourceInput } from "@varlink-ts/codegen";
import { fixtureInputs } from "../fixture-inputs.js";

const inputs = fixtureInputs().filter((input) =>
  /org\.example\.(more|ping)\.varlink$/.test(input.path),
);
const [MORE, PING] = inputs as [SourceInput, SourceInput];

/** path -> input hash of each planned file. */
function hashes(
  sources: readonly SourceInput[],
  options: GenerateOptions = {},
): Map<string, string> {
  return new Map(planGeneration(sources, options).files.map((file) => [file.path, file.inputHash]));
}

/** The paths whose input hash differs between two plans. */
function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([path, hash]) => before.get(path) !== hash).map(([path]) => path);
}

function content(files: readonly GeneratedFile[], path: string): string {
  const file = files.find((candidate) => candidate.path === path);
  if (file === undefined) throw new Error(`${path} was not generated`);
  return file.content;
}

describe("planGeneration()", () => {
  it("plans the files generate() makes, and each carries its input hash on line 2", async () => {
    const plan = planGeneration(inputs);
    const files = await generate(inputs);
    expect(plan.interfaces).toEqual(["org.example.more", "org.example.ping"]);
    expect(plan.files.map((file) => file.path)).toEqual(files.map((file) => file.path));
    for (const planned of plan.files) {
      const text = content(files, planned.path);
      expect(text.split("\n")[1]).toMatch(
        new RegExp(`^// Hashes: input ${planned.inputHash}, output [0-9a-f]{32}$`),
      );
      expect(isCurrent(text, planned.inputHash)).toBe(true);
    }
  });

  it("generates only the files asked for, as generate() does", async () => {
    const all = await generate(inputs);
    const some = await planGeneration(inputs).generate(["org.example.ping.ts"]);
    expect(some).toEqual([
      { path: "org.example.ping.ts", content: content(all, "org.example.ping.ts") },
    ]);
    expect(await planGeneration(inputs).generate([])).toEqual([]);
  });

  it("changes the hash of the module whose IDL text or file name changed, only", () => {
    const before = hashes(inputs);
    const comment = {
      ...PING,
      source: PING.source.replace(
        "interface org.example.ping",
        "# Pings.\ninterface org.example.ping",
      ),
    };
    expect(changed(before, hashes([MORE, comment]))).toEqual(["org.example.ping.ts"]);
    const spaces = { ...PING, source: `${PING.source}\n` };
    expect(changed(before, hashes([MORE, spaces]))).toEqual(["org.example.ping.ts"]);
    const moved = { ...PING, path: "elsewhere/ping.varlink" };
    expect(changed(before, hashes([MORE, moved]))).toEqual(["org.example.ping.ts"]);
    // Only the file's name is in the output, not its directory.
    const directory = { ...PING, path: `other/${PING.path}` };
    expect(changed(before, hashes([MORE, directory]))).toEqual([]);
  });

  it("changes the hashes of exactly the files an option shapes", () => {
    const before = hashes(inputs);
    const modules = ["org.example.more.ts", "org.example.ping.ts"];
    expect(changed(before, hashes(inputs, { emit: ["types", "client"] }))).toEqual(modules);
    expect(changed(before, hashes(inputs, { runtimeModule: "varlink" }))).toEqual(modules);
    expect(changed(before, hashes(inputs, { importExtension: ".ts" }))).toEqual(["index.ts"]);
    expect(changed(before, hashes(inputs, { bigint: ["org.example.more.TestMore.n"] }))).toEqual([
      "org.example.more.ts",
    ]);
    // The same output, however it is asked for: the same hash.
    expect(changed(before, hashes(inputs, { emit: ["mock", "types"] }))).toEqual([]);
    const whole = hashes(inputs, { bigint: ["org.example.more"] });
    expect(
      changed(
        whole,
        hashes(inputs, { bigint: ["org.example.more", "org.example.more.TestMore.n"] }),
      ),
    ).toEqual([]);
    expect(planGeneration(inputs, { index: false }).files.map((file) => file.path)).toEqual(
      modules,
    );
  });

  it("changes the index's hash when the interfaces change", () => {
    expect(changed(hashes(inputs), hashes([MORE]))).toEqual(["index.ts"]);
  });
});

describe("isCurrent()", () => {
  it("rejects a file edited anywhere, its hash line included, or made from other inputs", async () => {
    const files = await generate(inputs);
    const plan = planGeneration(inputs);
    const ping = plan.files.find((file) => file.path === "org.example.ping.ts")!;
    const text = content(files, "org.example.ping.ts");
    const lines = text.split("\n");
    expect(isCurrent(text, ping.inputHash)).toBe(true);
    expect(isCurrent(text.replace("Ping", "Pong"), ping.inputHash)).toBe(false);
    expect(isCurrent(`${text}\n`, ping.inputHash)).toBe(false);
    expect(isCurrent(text.replace("DO NOT EDIT", "DO EDIT"), ping.inputHash)).toBe(false);
    expect(isCurrent([lines[0], ...lines.slice(2)].join("\n"), ping.inputHash)).toBe(false);
    expect(isCurrent(text.replace(/output [0-9a-f]/, "output x"), ping.inputHash)).toBe(false);
    expect(isCurrent(text, plan.files[0]!.inputHash)).toBe(false);
    expect(isCurrent("", ping.inputHash)).toBe(false);
  });
});

describe("errors", () => {
  it("reports every input that does not parse, in input order, with did-you-mean hints", async () => {
    const failure = await generate([
      { path: "a/org.example.a.varlink", source: "interface org.example.a\nmethd F() -> ()\n" },
      PING,
      { path: "b/org.example.b.varlink", source: "interface org.example.b\ntype T (x: Strng)\n" },
    ]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AggregateError);
    const errors = (failure as AggregateError).errors as VarlinkSyntaxError[];
    expect(errors.every((error) => error instanceof VarlinkSyntaxError)).toBe(true);
    expect(errors.map((error) => error.message)).toEqual([
      "a/org.example.a.varlink:2:1: unknown keyword 'methd'; did you mean 'method'?",
      "b/org.example.b.varlink:2:12: unknown type 'Strng'; did you mean 'string'?",
    ]);
    expect((failure as AggregateError).message).toBe("2 interface definitions do not parse");
  });

  it("throws the VarlinkSyntaxError itself when one input does not parse", () => {
    expect(() => planGeneration([PING, { source: "interface a.b\ntpye T ()\n" }])).toThrow(
      VarlinkSyntaxError,
    );
  });
});
