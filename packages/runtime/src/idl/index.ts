/**
 * The varlink interface definition language: model, parser, checker and formatter.
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
