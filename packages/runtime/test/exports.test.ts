/**
 * The runtime's public surface is designed, not accumulated: the root entry point exports at
 * most 40 names (connect, the client, the service, the errors, the types users write), and the
 * rest lives in subpaths, each of which loads from the built package.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { exportedNamesOfEach } from "@varlink-ts/test-kit/declarations";

const DIST = fileURLToPath(new URL("../dist/", import.meta.url));

const ENTRIES = ["index", "idl/index", "transport/index", "wire/index", "testing/index", "http/index"];

/** The names a built entry point's declarations export, types included (one program for all). */
function exportedNamesOf(entry: string): string[] {
  if (!ENTRIES.includes(entry)) throw new Error(`${entry} is not in ENTRIES`);
  const names = exportedNamesOfEach(ENTRIES.map((name) => `${DIST}${name}.d.ts`));
  return names[ENTRIES.indexOf(entry)]!;
}

describe("@varlink-ts/runtime's public surface", () => {
  it("exports at most 40 names from the root, the ones users reach for", () => {
    const names = exportedNamesOf("index");
    expect(names.length).toBeLessThanOrEqual(40);
    for (const name of ["connect", "Connection", "createClient", "Client", "VarlinkService", "Handlers", "VarlinkError", "defineInterface"]) {
      expect(names).toContain(name);
    }
    // Plumbing lives in subpaths.
    for (const name of ["MessageReader", "parseInterface", "duplexPair", "createMock", "registerError", "VarlinkClient"]) {
      expect(names).not.toContain(name);
    }
  });

  const subpaths: Record<string, () => Promise<Record<string, unknown>>> = {
    idl: () => import("@varlink-ts/runtime/idl"),
    transport: () => import("@varlink-ts/runtime/transport"),
    wire: () => import("@varlink-ts/runtime/wire"),
    testing: () => import("@varlink-ts/runtime/testing"),
    http: () => import("@varlink-ts/runtime/http"),
  };

  it.each([
    ["idl", ["parseInterface", "formatSource", "methodMode", "checkValue"]],
    ["transport", ["parseAddress", "listen", "listenFromEnvironment", "resolve"]],
    ["wire", ["MessageReader", "encodeMessage", "errorFromReply", "SERVICE_INTERFACE_SOURCE"]],
    ["testing", ["createMock", "duplexPair"]],
    ["http", ["serveHttp"]],
  ])("serves the /%s subpath", async (subpath, expected) => {
    const loaded = await subpaths[subpath]!();
    for (const name of expected) expect(loaded[name], name).toBeDefined();
    expect(exportedNamesOf(`${subpath}/index`)).toEqual(expect.arrayContaining(expected));
  });
});
