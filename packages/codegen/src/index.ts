/**
 * Generates TypeScript from varlink interface definitions.
 *
 * @packageDocumentation
 */
export {};
