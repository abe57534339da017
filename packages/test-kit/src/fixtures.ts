/**
 * Where the repository's fixtures are, and views of them for the unit tests. This module opens no
 * socket and starts no process: unit tests import it alone, as `@varlink-ts/test-kit/fixtures`.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { InterfaceDefinition } from "@varlink-ts/runtime/idl";

/** The repository's root directory. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The repository's fixtures/ directory, with a trailing slash. */
export const FIXTURES = join(REPO_ROOT, "fixtures/");

/** The `.varlink` files of a fixtures subfolder, as [name, text] pairs, sorted by name. */
export function varlinkFiles(folder: string): [string, string][] {
  const dir = join(FIXTURES, folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".varlink"))
    .sort()
    .map((name) => [name, readFileSync(join(dir, name), "utf8")]);
}

/** The meaning of a definition: everything but positions, source text and file name. */
export function meaning(definition: InterfaceDefinition): unknown {
  const strip = (value: unknown): unknown => {
    if (value instanceof Map) {
      return [...value.keys()];
    }
    if (Array.isArray(value)) {
      return value.map(strip);
    }
    if (typeof value === "object" && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(value)) {
        if (key !== "position" && key !== "source" && key !== "file") {
          out[key] = strip(entry);
        }
      }
      return out;
    }
    return value;
  };
  return strip(definition);
}
