/**
 * Generates TypeScript from varlink interface definitions: types, error classes, the IDL text and
 * a typed interface descriptor, with `connect`, `register` and `createMock` over it.
 *
 * Importing this module is cheap: ts-morph and prettier are loaded only when a file is generated.
 *
 * @packageDocumentation
 */
export { generate, planGeneration } from "./generate.js";
export type {
  GenerateInput,
  GeneratedFile,
  GenerationPlan,
  PlannedFile,
  SourceInput,
} from "./generate.js";
export type { EmitPart, GenerateOptions, ImportExtension } from "./options.js";
export { isCurrent } from "./stamp.js";
