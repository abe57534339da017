/**
 * Generates TypeScript from varlink interface definitions: types, error classes, the IDL text and
 * a typed interface descriptor, with `connect`, `register` and `createMock` over it.
 *
 * @packageDocumentation
 */
export { generate } from "./generate.js";
export type { GenerateInput, GeneratedFile, SourceInput } from "./generate.js";
export type { EmitPart, GenerateOptions, ImportExtension } from "./options.js";
