/**
 * Checks the `parameters` of a call or reply against a method's input or output struct.
 */
import type { InterfaceDefinition, StructType } from "../idl/model.js";
import { checkStructFields, isPlainObject } from "./check-value.js";
import type { ValidationIssue } from "./issue.js";

/**
 * Checks a whole parameters object against `struct` (a method's input or output). Absent
 * parameters (`undefined`), `null` and `{}` mean the same. Issue paths are relative to the
 * parameters, so a wrong `foo` inside field `bar` is reported as `bar.foo`.
 *
 * @returns the first issue found, or undefined when the parameters fit.
 */
export function checkParameters(
  definition: InterfaceDefinition,
  struct: StructType,
  parameters: unknown,
): ValidationIssue | undefined {
  if (parameters === undefined || parameters === null) {
    return checkStructFields(definition, struct, {}, "");
  }
  if (!isPlainObject(parameters)) {
    return { path: "", message: "parameters are not an object" };
  }
  return checkStructFields(definition, struct, parameters, "");
}
