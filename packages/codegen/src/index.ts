/**
 * Generates TypeScript from varlink interface definitions: types, constants, error classes, a
 * typed client, a server handler interface with a register function, and a mock.
 *
 * @packageDocumentation
 */
export { generate } from "./generate.js";
export type { GenerateInput, GeneratedFile, SourceInput } from "./generate.js";
export type { EmitPart, GenerateOptions, ImportExtension } from "./options.js";
