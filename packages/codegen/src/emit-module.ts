/**
 * One interface's module: the parts in a fixed order (the IDL text, types, errors, the
 * descriptor, client, server, mock), built with ts-morph and formatted with prettier.
 */
import type { InterfaceDefinition } from "@varlink-ts/runtime/idl";
import { Project } from "ts-morph";
import type { BigintSelection } from "./bigint.js";
import { EmitContext } from "./context.js";
import { emitClient } from "./emit-client.js";
import { emitDescriptor } from "./emit-descriptor.js";
import { emitErrors } from "./emit-errors.js";
import { emitConstants, moduleHeader } from "./emit-header.js";
import { emitMock } from "./emit-mock.js";
import { emitServer } from "./emit-server.js";
import { emitStringSet, emitTypes } from "./emit-types.js";
import { formatTypeScript } from "./format.js";
import type { ResolvedOptions } from "./options.js";
import { planModule } from "./plan.js";

/** The formatted TypeScript module for `definition`. */
export async function emitModule(
  project: Project,
  definition: InterfaceDefinition,
  sourceName: string,
  options: ResolvedOptions,
  bigint: BigintSelection,
): Promise<string> {
  const { text, statementEnds } = renderModule(project, definition, sourceName, options, bigint);
  return formatTypeScript(text, { filepath: `${definition.name}.ts`, statementEnds });
}

/** The module before formatting, and where its top-level statements end in the text. */
export interface RenderedModule {
  readonly text: string;
  readonly statementEnds: readonly number[];
}

/** The module for `definition` as ts-morph prints it, to be formatted. */
export function renderModule(
  project: Project,
  definition: InterfaceDefinition,
  sourceName: string,
  options: ResolvedOptions,
  bigint: BigintSelection,
): RenderedModule {
  const plan = planModule(definition, sourceName, options, bigint);
  const context = new EmitContext(plan, options);

  emitConstants(context);
  const typesStart = context.statements.length;
  emitTypes(context);
  emitErrors(context);
  if (options.emit.has("client") || options.emit.has("server")) emitDescriptor(context);
  if (options.emit.has("client")) emitClient(context);
  if (options.emit.has("server")) emitServer(context);
  if (options.emit.has("mock")) emitMock(context);
  emitStringSet(context, typesStart);
  if (context.types.usage.jsonObject) context.runtimeType("JsonObject");
  if (context.types.usage.jsonValue) context.runtimeType("JsonValue");
  const file = project.createSourceFile(
    `${definition.name}.ts`,
    { statements: [...context.imports.declarations(), ...context.statements] },
    { overwrite: true },
  );
  const header = `${moduleHeader(plan)}\n`;
  // ts-morph parsed what it printed: the statements' ends come free, for formatting in pieces.
  const statementEnds = file.compilerNode.statements.map(
    (statement) => header.length + statement.end,
  );
  const text = `${header}${file.getFullText()}`;
  project.removeSourceFile(file);
  return { text, statementEnds };
}

/** A ts-morph project that keeps everything in memory. */
export function createProject(): Project {
  return new Project({ useInMemoryFileSystem: true, skipAddingFilesFromTsConfig: true });
}
