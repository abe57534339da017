/**
 * What the generator is, for the input hash in the header of every generated file: the versions
 * of the packages whose code shapes the output. This one; the runtime, whose parser reads the
 * IDL; ts-morph and prettier, which print and format the text. Read from their package.json
 * files, so that knowing them loads none of them.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const DEPENDENCIES = ["@varlink-ts/runtime", "ts-morph", "prettier"];

let identity: string | undefined;

/** `@varlink-ts/codegen@0.1.0 @varlink-ts/runtime@0.1.0 ts-morph@… prettier@…`, read once. */
export function generatorIdentity(): string {
  if (identity === undefined) {
    const require = createRequire(import.meta.url);
    const versions = [
      // src/ and dist/ are both one level below the package root.
      `@varlink-ts/codegen@${readPackage(new URL("../package.json", import.meta.url)).version}`,
      ...DEPENDENCIES.map((name) => `${name}@${versionOf(name, require)}`),
    ];
    identity = versions.join(" ");
  }
  return identity;
}

/**
 * The version in the package.json above the file package `name` resolves to, found by walking
 * up because not every package exports its package.json. `unknown` when it cannot be found (a
 * package that cannot be resolved from CommonJS): generating does not depend on knowing it.
 */
function versionOf(name: string, require: NodeJS.Require): string {
  let dir: string;
  try {
    dir = path.dirname(require.resolve(name));
  } catch {
    return "unknown";
  }
  for (; ; dir = path.dirname(dir)) {
    const pkg = readPackage(path.join(dir, "package.json"));
    if (pkg.name === name) return pkg.version;
    if (path.dirname(dir) === dir) return "unknown";
  }
}

function readPackage(file: string | URL): { name?: string; version: string } {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as { name?: string; version: string };
  } catch {
    return { version: "" };
  }
}
