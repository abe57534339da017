/**
 * The interface files the code generators are timed on, made from the repository's fixtures.
 * Only files that Go's generator (varlink/go 0.4.0) accepts are used, so that both generators do
 * the same work: it rejects org.example.network (a field named in upper case) and systemd's
 * io.systemd.UserDatabase.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_DIR } from "../orchestrate/paths.js";

const FIXTURES = path.join(REPO_DIR, "fixtures", "interop");

/** The example interfaces from the varlink projects that both generators accept. */
export const EXAMPLE_INTERFACES = [
  "org.example.calc",
  "org.example.complex",
  "org.example.encoding",
  "org.example.more",
  "org.example.ping",
  "org.example.string",
] as const;

/** What the set of many interfaces is copied from: the examples and the standard interfaces. */
const SET_SOURCES = [
  ...EXAMPLE_INTERFACES,
  "org.example.bench",
  "org.varlink.certification",
  "org.varlink.resolver",
  "org.varlink.service",
] as const;

function source(name: string): string {
  return readFileSync(path.join(FIXTURES, `${name}.varlink`), "utf8");
}

/** Writes the example interfaces, unchanged, into a fresh `dir`. */
export function writeExamples(dir: string): number {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const name of EXAMPLE_INTERFACES)
    writeFileSync(path.join(dir, `${name}.varlink`), source(name));
  return EXAMPLE_INTERFACES.length;
}

/**
 * Writes `count` interface files into a fresh `dir`: copies of the sources in turn, each renamed
 * (`org.example.more` becomes `org.example.more.c007`) so that every file is its own interface.
 */
export function writeInterfaceSet(dir: string, count: number): number {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const texts = SET_SOURCES.map((name) => ({ name, text: source(name) }));
  for (let i = 0; i < count; i++) {
    const { name, text } = texts[i % texts.length]!;
    const suffix = `c${String(i).padStart(3, "0")}`;
    const renamed = text.replace(
      /^interface\s+(\S+)/m,
      (_line, interfaceName: string) => `interface ${interfaceName}.${suffix}`,
    );
    if (renamed === text) throw new Error(`no interface line in ${name}.varlink`);
    writeFileSync(path.join(dir, `${name}.${suffix}.varlink`), renamed);
  }
  return count;
}

/** The shapes of one large interface the scaling measurement generates. */
export type BigInterfaceKind = "types" | "blank";

/**
 * One interface of `size` units: `types` documented types, each a struct referring to the one
 * before, or `blank` empty lines between the interface line and its one method. Either used to
 * take time quadratic in `size` (prettier's handling of many exports; its JSX guess on a long
 * template literal), so generating twice the size shows whether time stays linear.
 */
export function bigInterface(kind: BigInterfaceKind, size: number): string {
  if (kind === "blank")
    return `interface org.example.blank\n${"\n".repeat(size)}method Ping() -> ()\n`;
  const types = Array.from(
    { length: size },
    (_, i) =>
      `# Type ${i}\ntype T${i} (a: int, b: ?string, c: []T${Math.max(0, i - 1)}, e: (x, y))\n`,
  );
  return `interface org.example.types\n\n${types.join("\n")}\nmethod Get(t: T0) -> (u: T1)\n`;
}
