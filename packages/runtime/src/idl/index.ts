/**
 * The varlink interface definition language: model, parser, checker and formatter.
 *
 * @packageDocumentation
 */
export type * from "./model.js";
