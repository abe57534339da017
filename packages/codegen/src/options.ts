/**
 * What callers of {@link generate} can choose, and the defaults.
 */

/**
 * A part of a generated module that can be left out. Error classes and the
 * `interfaceDescription` constant are always emitted; the `descriptor` comes with `client` or
 * `server`.
 *
 * - `types`: every type of the interface, even those no other emitted part needs (the types that
 *   the emitted parts use are always emitted);
 * - `client`: the `Client` type and `connect`;
 * - `server`: the `Handlers` type and `register`;
 * - `mock`: `Mock` and `createMock` (brings `client` and `server` with it).
 */
export type EmitPart = "types" | "client" | "server" | "mock";

/** The extension written in relative imports: `.js` for NodeNext, `.ts` for type stripping. */
export type ImportExtension = ".js" | ".ts" | "";

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** Which parts to emit. Default: all of them. */
  readonly emit?: readonly EmitPart[];
  /** Extension of the relative imports in `index.ts`. Default `.js`. */
  readonly importExtension?: ImportExtension;
  /** The module generated code imports the runtime from. Default `@varlink-ts/runtime`. */
  readonly runtimeModule?: string;
  /** Whether to emit `index.ts` re-exporting every module as a namespace. Default true. */
  readonly index?: boolean;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  readonly emit: ReadonlySet<EmitPart>;
  readonly importExtension: ImportExtension;
  readonly runtimeModule: string;
  readonly index: boolean;
}

const EMIT_PARTS: readonly EmitPart[] = ["types", "client", "server", "mock"];

/** Fills in defaults and checks the values, throwing `TypeError` on a bad one. */
export function resolveOptions(options: GenerateOptions = {}): ResolvedOptions {
  const emit = new Set<EmitPart>();
  for (const part of options.emit ?? EMIT_PARTS) {
    if (!EMIT_PARTS.includes(part)) {
      throw new TypeError(
        `unknown emit part ${JSON.stringify(part)}: expected one of ${EMIT_PARTS.join(", ")}`,
      );
    }
    emit.add(part);
  }
  // The mock is a client talking to a registered server, so it needs both.
  if (emit.has("mock")) {
    emit.add("client");
    emit.add("server");
  }
  const importExtension = options.importExtension ?? ".js";
  if (importExtension !== ".js" && importExtension !== ".ts" && importExtension !== "") {
    throw new TypeError(
      `importExtension must be ".js", ".ts" or "", not ${JSON.stringify(importExtension)}`,
    );
  }
  const runtimeModule = options.runtimeModule ?? "@varlink-ts/runtime";
  if (runtimeModule.length === 0) throw new TypeError("runtimeModule must not be empty");
  return { emit, importExtension, runtimeModule, index: options.index ?? true };
}
