/**
 * Value checking: does a JSON value fit a varlink type?
 *
 * @packageDocumentation
 */
export type { ValidationIssue } from "./issue.js";
export { checkValue, MAX_VALUE_DEPTH } from "./check-value.js";
export { checkParameters } from "./check-parameters.js";
