/**
 * Shared by the IDL tests: where the fixtures are, and a model view without positions and source
 * text, for comparing what two parses mean.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { InterfaceDefinition } from "@varlink-ts/runtime/idl";

/** The repository's fixtures/ folder. */
export const fixturesDir = fileURLToPath(new URL("../../../../fixtures/", import.meta.url));

/** The `.varlink` files of a fixtures subfolder, as [name, text] pairs, sorted by name. */
export function varlinkFiles(folder: string): [string, string][] {
  const dir = fixturesDir + folder + "/";
  return readdirSync(dir)
    .filter((name) => name.endsWith(".varlink"))
    .sort()
    .map((name) => [name, readFileSync(dir + name, "utf8")]);
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
