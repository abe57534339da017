/**
 * What every emitter of a module shares: the plan, the options, the statements built so far,
 * the imports they need and the type renderer.
 */
import type { StatementStructures, WriterFunction } from "ts-morph";
import { ImportSet } from "./imports.js";
import type { ResolvedOptions } from "./options.js";
import type { ModulePlan } from "./plan.js";
import { seeTag } from "./tsdoc.js";
import { TypeRenderer } from "./type-expr.js";

/** A top-level statement of a generated module: a ts-morph structure or raw text. */
export type Statement = string | WriterFunction | StatementStructures;

/** State shared by the emitters of one module. */
export class EmitContext {
  readonly imports = new ImportSet();
  readonly types: TypeRenderer;
  /**
   * The module's statements in order. They are collected as structures and printed in one go,
   * because every edit of a ts-morph source file re-parses it.
   */
  readonly statements: Statement[] = [];

  constructor(
    readonly plan: ModulePlan,
    readonly options: ResolvedOptions,
  ) {
    this.types = new TypeRenderer(plan);
  }

  /** Imports `name` (as `alias`, if given) from the runtime as a value; returns the local name. */
  runtime(name: string, alias?: string): string {
    return this.importValue(this.options.runtimeModule, name, alias);
  }

  /** Imports `name` (as `alias`, if given) from the runtime as a type; returns the local name. */
  runtimeType(name: string, alias?: string): string {
    return this.importType(this.options.runtimeModule, name, alias);
  }

  /** Imports `name` (as `alias`, if given) from `module` as a value; returns the local name. */
  importValue(module: string, name: string, alias?: string): string {
    this.imports.value(module, name, alias);
    return alias ?? name;
  }

  /** Imports `name` (as `alias`, if given) from `module` as a type; returns the local name. */
  importType(module: string, name: string, alias?: string): string {
    this.imports.type(module, name, alias);
    return alias ?? name;
  }

  /** The `@see` line for something at `line` of this module's IDL file. */
  see(line: number): string[] {
    return [seeTag(this.plan.sourceName, line)];
  }
}
