/**
 * The varlink interface definition language: model, parser, checker and formatter, and
 * {@link Input}, what may be sent for a value of a generated type.
 *
 * @packageDocumentation
 */
export type * from "./model.js";
export { parseInterface, MAX_NESTING_DEPTH, type ParseOptions } from "./parser.js";
export { formatInterface, formatSource } from "./formatter.js";
export { VarlinkSyntaxError, codeFrame, type SyntaxErrorLocation } from "./syntax-error.js";
export {
  isFieldName,
  isInterfaceName,
  isMemberName,
  interfaceNameProblem,
  type InterfaceNameProblem,
} from "./names.js";
export { methodMode, type MethodMode } from "./call-modes.js";
export { checkParameters, checkValue, MAX_VALUE_DEPTH } from "../validate/index.js";
export type { ValidationIssue } from "../validate/index.js";
export type { AnyInput, AnyObject, Input, InputStruct } from "../interface/input.js";
export { innermost, selectBigintFields } from "../interface/bigint-fields.js";
