/**
 * The generated code in src/gen is committed; these checks keep it from going stale: the
 * interface file is the certification interface of fixtures/interop, and `varlink-codegen --check`
 * (run as `npm run check:gen` would) finds src/gen exactly as it would generate it.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { useSandbox } from "@varlink-ts/test-kit";

const sandbox = useSandbox();
/** This package's directory: the command below names its files relative to it. */
const HERE = fileURLToPath(new URL(".", import.meta.url));

const CODEGEN = fileURLToPath(new URL("./node_modules/.bin/varlink-codegen", import.meta.url));

describe("src/gen", () => {
  it("is generated from the certification interface of fixtures/interop", async () => {
    const copy = await readFile(new URL("./org.varlink.certification.varlink", import.meta.url), "utf8");
    const fixture = await readFile(
      new URL("../../fixtures/interop/org.varlink.certification.varlink", import.meta.url),
      "utf8",
    );
    expect(copy).toBe(fixture);
  });

  it("is what varlink-codegen generates now (varlink-codegen --check)", async () => {
    const check = sandbox.spawn(CODEGEN, ["org.varlink.certification.varlink", "-o", "src/gen", "--check"], { cwd: HERE });
    const code = await check.exited;
    // On failure the output names every stale file with a diff; it is part of the message.
    expect({ code, output: check.stdout() + check.stderr() }).toEqual({
      code: 0,
      output: expect.any(String) as unknown,
    });
  });
});
