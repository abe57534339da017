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
  /**
   * The `int` fields that become JavaScript `bigint`s, losslessly, instead of `number`s, as
   * selectors qualified with the interface name: `"io.systemd.Foo"` (every `int` of the
   * interface), `"io.systemd.Foo.Type.field"`, `"io.systemd.Foo.Method.field"` (the field of
   * that name in the method's parameters and in its result), `"io.systemd.Foo.Error.field"`, or
   * deeper through anonymous structs (`"io.systemd.Foo.Type.field.inner"`). Every `int` inside a
   * selected field is one: in an array, a map, a nullable or an anonymous struct, but not in a
   * named type, whose fields have selectors of their own. A selector that names no interface
   * among the inputs, no member, no field, or a field without an `int` is an error. Default:
   * none, every `int` is a `number`.
   */
  readonly bigint?: readonly string[];
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  readonly emit: ReadonlySet<EmitPart>;
  readonly importExtension: ImportExtension;
  readonly runtimeModule: string;
  readonly index: boolean;
  /** The `bigint` selectors as given, checked for form only (see bigint.ts for the rest). */
  readonly bigint: readonly string[];
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
  const bigint = options.bigint ?? [];
  if (!Array.isArray(bigint)) throw new TypeError("bigint must be an array of selectors");
  for (const selector of bigint as readonly unknown[]) {
    if (typeof selector !== "string" || !/^[^.\s]+(\.[^.\s]+)*$/.test(selector)) {
      throw new TypeError(
        `bigint selector ${JSON.stringify(selector)} is not a dotted name such as "org.example.Type.field"`,
      );
    }
  }
  return { emit, importExtension, runtimeModule, index: options.index ?? true, bigint };
}
