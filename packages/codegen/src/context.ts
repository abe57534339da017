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

  /** Imports `name` from the runtime as a value and returns it, for use in code. */
  runtime(name: string): string {
    this.imports.value(this.options.runtimeModule, name);
    return name;
  }

  /** Imports `name` from the runtime as a type and returns it, for use in code. */
  runtimeType(name: string): string {
    this.imports.type(this.options.runtimeModule, name);
    return name;
  }

  /** The `@see` line for something at `line` of this module's IDL file. */
  see(line: number): string[] {
    return [seeTag(this.plan.sourceName, line)];
  }
}
