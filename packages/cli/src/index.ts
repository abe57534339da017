/**
 * Programmatic entry points of the varlink and varlink-codegen commands.
 *
 * @packageDocumentation
 */
export {};
