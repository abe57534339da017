/**
 * The call modes a method accepts, as systemd's IDL printer marks them in the method's comment:
 * `# [Requires 'more' flag]`, `# [Supports 'more' flag]` and `# [Requires 'upgrade' flag]`.
 * systemd declared these comments a stable API, so they are read as part of the interface.
 */
import type { MethodMember } from "./model.js";

/**
 * How a method may be called:
 * - `"any"`: not marked; plain, `more`, `oneway` and `upgrade` calls are all allowed;
 * - `"supports-more"`: a plain call or a `more` call (and `oneway`);
 * - `"requires-more"`: only a `more` call, a stream;
 * - `"requires-upgrade"`: only an `upgrade` call.
 */
export type MethodMode = "any" | "supports-more" | "requires-more" | "requires-upgrade";

const MARKERS: ReadonlyArray<readonly [RegExp, MethodMode]> = [
  [/^\s*\[Requires 'more' flag\]\s*$/, "requires-more"],
  [/^\s*\[Requires 'upgrade' flag\]\s*$/, "requires-upgrade"],
  [/^\s*\[Supports 'more' flag\]\s*$/, "supports-more"],
];

/** The mode a method's comment marks it with; `"any"` when it carries no marker. */
export function methodMode(method: Pick<MethodMember, "doc">): MethodMode {
  for (const [pattern, mode] of MARKERS) {
    if (method.doc.some((line) => pattern.test(line))) return mode;
  }
  return "any";
}
