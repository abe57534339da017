/**
 * The version of the package the `varlink` command ships in.
 */
import { readFileSync } from "node:fs";

/** The `version` of packages/cli/package.json, or `unknown`. */
export function packageVersion(): string {
  const manifest = JSON.parse(
    readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
  ) as { version?: unknown };
  return typeof manifest.version === "string" ? manifest.version : "unknown";
}
