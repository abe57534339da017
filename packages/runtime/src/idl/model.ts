/**
 * The parsed form of a varlink interface definition.
 *
 * The parser produces it; the server checks parameters with it, the formatter prints it and the
 * code generator walks it. Everything is read-only and keeps its source position, so any tool
 * can point back at the IDL.
 *
 * @packageDocumentation
 */

/** A place in IDL source. `line` and `column` count from 1; `offset` is the UTF-16 index. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
}

/**
 * Documentation taken from the `#` comment lines right above a member, field or enum value, one
 * string a line, without the `#` and the one space after it. Empty when there is none.
 */
export type Doc = readonly string[];

/** Types that carry no further structure. `any` is UAPI.20's; `object` is any JSON value too. */
export type PrimitiveKind = "bool" | "int" | "float" | "string" | "object" | "any";

export interface PrimitiveType {
  readonly kind: PrimitiveKind;
  readonly position: SourcePosition;
}

/** A reference to a `type` member of the same interface, by name. */
export interface NamedType {
  readonly kind: "named";
  readonly name: string;
  readonly position: SourcePosition;
}

/** `(name: type, ...)`: fields in source order. `()` is a struct with no fields. */
export interface StructType {
  readonly kind: "struct";
  readonly fields: readonly Field[];
  readonly position: SourcePosition;
}

/** `(a, b, c)`: the values in source order. */
export interface EnumType {
  readonly kind: "enum";
  readonly values: readonly EnumValue[];
  readonly position: SourcePosition;
}

/** `[]T` */
export interface ArrayType {
  readonly kind: "array";
  readonly element: VarlinkType;
  readonly position: SourcePosition;
}

/** `[string]T`: an object whose keys are any strings. */
export interface MapType {
  readonly kind: "map";
  readonly value: VarlinkType;
  readonly position: SourcePosition;
}

/** `[string]()`: a set of strings, sent as an object whose values are all `{}`. */
export interface SetType {
  readonly kind: "set";
  readonly position: SourcePosition;
}

/** `?T`: the value may be `null` or absent. `inner` is never itself nullable (`??T` is invalid). */
export interface NullableType {
  readonly kind: "nullable";
  readonly inner: VarlinkType;
  readonly position: SourcePosition;
}

export type VarlinkType =
  | PrimitiveType
  | NamedType
  | StructType
  | EnumType
  | ArrayType
  | MapType
  | SetType
  | NullableType;

export interface Field {
  readonly name: string;
  readonly type: VarlinkType;
  readonly doc: Doc;
  readonly position: SourcePosition;
}

export interface EnumValue {
  readonly name: string;
  readonly doc: Doc;
  readonly position: SourcePosition;
}

/** `type Name (...)`: a named struct or enum. */
export interface TypeMember {
  readonly kind: "type";
  readonly name: string;
  readonly type: StructType | EnumType;
  readonly doc: Doc;
  readonly position: SourcePosition;
}

/** `method Name(input) -> (output)` */
export interface MethodMember {
  readonly kind: "method";
  readonly name: string;
  readonly input: StructType;
  readonly output: StructType;
  readonly doc: Doc;
  readonly position: SourcePosition;
}

/** `error Name (parameters)` */
export interface ErrorMember {
  readonly kind: "error";
  readonly name: string;
  readonly parameters: StructType;
  readonly doc: Doc;
  readonly position: SourcePosition;
}

export type Member = TypeMember | MethodMember | ErrorMember;

/** One parsed and checked `.varlink` file. */
export interface InterfaceDefinition {
  /** The reverse-domain interface name, e.g. `org.example.more`. */
  readonly name: string;
  /** The comment block above the `interface` keyword. */
  readonly doc: Doc;
  /** Every member in source order. */
  readonly members: readonly Member[];
  readonly types: ReadonlyMap<string, TypeMember>;
  readonly methods: ReadonlyMap<string, MethodMember>;
  readonly errors: ReadonlyMap<string, ErrorMember>;
  /** The exact text that was parsed: what `GetInterfaceDescription` answers. */
  readonly source: string;
  /** The file name given to the parser, used in error messages; undefined for strings. */
  readonly file: string | undefined;
  /** Where the `interface` keyword stands. */
  readonly position: SourcePosition;
}
