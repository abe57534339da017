/**
 * Errors belong to their interface, with no global registry and no import side effects: an
 * application that holds two copies of the runtime (say, a library bundling its own) maps every
 * error reply to the classes of the copy its client came from, and two copies of a generated
 * module on one runtime each keep their own classes (a registry filled at import would let the
 * last one loaded win). The second runtime is the built one copied into a folder of its own.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "@varlink-ts/codegen";
import { MethodNotImplementedError, VarlinkError } from "@varlink-ts/runtime";
import { OrgExampleMore as More } from "../../../fixtures/generated/index.js";
import { fixtureInputs, REPO_ROOT } from "./fixture-inputs.js";
import { type Served, serveInterfaces, useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox({ scope: "file" });

/** The generated module as loaded against the second copy of the runtime. */
type MoreModule = typeof More;

let dir: string;
let served: Served;
let other: MoreModule;
let twin: MoreModule;
let twinDir: string;
let otherRuntime: typeof import("@varlink-ts/runtime");

beforeAll(async () => {
  dir = await mkdtemp(join(REPO_ROOT, "packages", "codegen", ".two-runtimes-"));
  const copy = join(dir, "node_modules", "@varlink-ts", "runtime");
  await mkdir(copy, { recursive: true });
  await cp(join(REPO_ROOT, "packages", "runtime", "dist"), join(copy, "dist"), { recursive: true });
  const entry = (name: string) => ({ types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` });
  await writeFile(
    join(copy, "package.json"),
    JSON.stringify({
      name: "@varlink-ts/runtime",
      type: "module",
      exports: { ".": entry("index"), "./testing": entry("testing/index") },
    }),
  );
  const input = fixtureInputs().find((file) => file.path.endsWith("org.example.more.varlink"));
  if (input === undefined) throw new Error("org.example.more.varlink is missing");
  const [module] = await generate([input], { index: false });
  if (module === undefined) throw new Error("nothing generated");
  await writeFile(join(dir, module.path), module.content);
  other = (await import(/* @vite-ignore */ pathToFileURL(join(dir, module.path)).href)) as MoreModule;
  // The same module again, elsewhere, on this copy of the runtime.
  twinDir = await mkdtemp(join(REPO_ROOT, "packages", "codegen", ".twin-module-"));
  await writeFile(join(twinDir, module.path), module.content);
  twin = (await import(/* @vite-ignore */ pathToFileURL(join(twinDir, module.path)).href)) as MoreModule;
  otherRuntime = (await import(
    /* @vite-ignore */ pathToFileURL(join(copy, "dist", "index.js")).href
  )) as typeof import("@varlink-ts/runtime");

  // The service runs on this copy of the runtime; StopServing is left unimplemented.
  served = await serveInterfaces(sandbox, (service) =>
    service.addInterface(More.descriptor, {
      ping: ({ ping }) => ({ pong: ping }),
      testMore: ({ n }) => {
        throw new More.TestMoreError({ reason: `no ${n}` });
      },
    }),
  );
});

afterAll(async () => {
  await served?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  if (twinDir !== undefined) await rm(twinDir, { recursive: true, force: true });
});

describe("two copies of the runtime in one application", () => {
  it("really are two copies", () => {
    expect(otherRuntime.VarlinkError).not.toBe(VarlinkError);
    expect(other.TestMoreError).not.toBe(More.TestMoreError);
  });

  it("map a declared error to the class of the client's own copy", async () => {
    const client = await other.connect(served.address);
    try {
      expect(await client.ping({ ping: "through the copy" })).toEqual({ pong: "through the copy" });
      const failure = await client.testMore({ n: 1 }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(other.TestMoreError);
      expect(failure).toBeInstanceOf(otherRuntime.VarlinkError);
      expect(failure).not.toBeInstanceOf(More.TestMoreError);
      expect((failure as { parameters: unknown }).parameters).toEqual({ reason: "no 1" });
      // `is` compares varlink names, so either copy's class recognises it.
      expect(More.TestMoreError.is(failure)).toBe(true);
    } finally {
      client.close();
    }
  });

  it("map the standard errors to the client's own copy too", async () => {
    const client = await other.connect(served.address);
    try {
      const failure = await client.stopServing().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(otherRuntime.MethodNotImplementedError);
      expect(failure).not.toBeInstanceOf(MethodNotImplementedError);
    } finally {
      client.close();
    }
  });

  it("and this copy's client still maps to this copy's classes", async () => {
    const client = await More.connect(served.address);
    try {
      const failure = await client.testMore({ n: 2 }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(More.TestMoreError);
      expect(failure).not.toBeInstanceOf(other.TestMoreError);
    } finally {
      client.close();
    }
  });
});

describe("two copies of a generated module on one runtime", () => {
  it("each map a declared error to their own class, whichever was loaded last", async () => {
    expect(twin.TestMoreError).not.toBe(More.TestMoreError);
    const first = await More.connect(served.address);
    const second = await twin.connect(served.address);
    try {
      const [fromFirst, fromSecond] = await Promise.all([
        first.testMore({ n: 3 }).catch((error: unknown) => error),
        second.testMore({ n: 4 }).catch((error: unknown) => error),
      ]);
      expect(fromFirst).toBeInstanceOf(More.TestMoreError);
      expect(fromFirst).not.toBeInstanceOf(twin.TestMoreError);
      expect(fromSecond).toBeInstanceOf(twin.TestMoreError);
      expect(fromSecond).not.toBeInstanceOf(More.TestMoreError);
      expect(fromSecond).toBeInstanceOf(VarlinkError);
    } finally {
      first.close();
      second.close();
    }
  });
});
