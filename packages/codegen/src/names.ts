/**
 * Naming: how IDL names become TypeScript identifiers, and the one rule that settles collisions.
 *
 * A module's top-level names come from three places: names the generator always uses (the
 * module's fixed exports, what it imports from the runtime, the globals it relies on, reserved
 * words), names written in the IDL (types and errors), and names derived from the IDL
 * (`PingParameters`, `StateValues`, `MyTypeStruct`). They are claimed in that order; a name that
 * is already taken gets `_` appended until it is free. Error classes first try the `Error` suffix,
 * so an error named `Client` becomes `ClientError`, not `Client_`.
 */

/** ECMAScript and TypeScript reserved words: never usable as a declaration name. */
// prettier-ignore
const RESERVED_WORDS = [
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
  "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in",
  "instanceof", "new", "null", "return", "super", "switch", "this", "throw", "true", "try",
  "typeof", "var", "void", "while", "with", "implements", "interface", "let", "package", "private",
  "protected", "public", "static", "yield", "await", "any", "boolean", "number", "string",
  "symbol", "bigint", "object", "never", "unknown", "undefined", "type", "arguments", "eval",
];

/**
 * Globals a reader expects to mean the built-in, including every one generated code refers to.
 * Shadowing them would break the generated code or confuse whoever reads it.
 */
// prettier-ignore
const GLOBAL_NAMES = [
  "Object", "Function", "Array", "String", "Number", "Boolean", "Symbol", "BigInt", "Error",
  "TypeError", "RangeError", "SyntaxError", "AggregateError", "ErrorOptions", "Date", "RegExp",
  "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "Promise", "PromiseLike", "Proxy", "Reflect",
  "JSON", "Math", "Intl", "Iterable", "Iterator", "IterableIterator", "AsyncIterable",
  "AsyncIterator", "AsyncIterableIterator", "Generator", "AsyncGenerator", "ArrayLike",
  "ReadonlyArray", "Record", "Partial", "Required", "Readonly", "Pick", "Omit", "Exclude",
  "Extract", "NonNullable", "Parameters", "ConstructorParameters", "ReturnType", "InstanceType",
  "ThisParameterType", "OmitThisParameter", "ThisType", "Awaited", "NoInfer", "Uppercase",
  "Lowercase", "Capitalize", "Uncapitalize", "PropertyKey", "Buffer",
  "NodeJS", "AbortSignal", "AbortController", "Uint8Array", "ArrayBuffer", "DataView",
  "Infinity", "NaN", "globalThis",
];

/** Names every generated module may declare itself, reserved whether or not they are emitted. */
// prettier-ignore
const MODULE_NAMES = [
  "interfaceDescription", "descriptor", "Client", "connect", "Handlers", "register", "Mock",
  "createMock", "StringSet",
];

/** Names generated code may import from the runtime or from Node. */
// prettier-ignore
const IMPORTED_NAMES = [
  "VarlinkError", "VarlinkService", "defineInterface", "method", "createClient", "openConnection",
  "mockOf", "ClientOf", "HandlersOf", "MockOf", "MockOptions", "ConnectOptions", "Address",
  "JsonObject", "JsonValue", "InterfaceNotFoundError", "MethodNotFoundError",
  "MethodNotImplementedError", "InvalidParameterError", "PermissionDeniedError",
  "ExpectedMoreError", "ExpectedUpgradeError",
];

/**
 * Names a method of the client or of a handlers object must not take: `then` would make the
 * object a thenable (so `await client` would misbehave), `constructor` and the members of
 * `Object.prototype` would replace built-in behaviour or, in a plain handlers object, be found
 * even when the user did not implement them. `connection`, `descriptor` and `close` are the
 * client's own.
 */
// prettier-ignore
const MEMBER_RESERVED = [
  "then", "constructor", "__proto__", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable",
  "toLocaleString", "toString", "valueOf", "connection", "descriptor", "close",
];

/** A set of identifiers already in use, handing out free ones by the `_` rule. */
export class NameTable {
  private readonly taken: Set<string>;

  constructor(reserved: Iterable<string>) {
    this.taken = new Set(reserved);
  }

  /** Whether `name` is still free. */
  isFree(name: string): boolean {
    return !this.taken.has(name);
  }

  /** Takes `name` as is; false when it was already taken. */
  tryClaim(name: string): boolean {
    if (this.taken.has(name)) return false;
    this.taken.add(name);
    return true;
  }

  /** Takes `name`, or the first of `name_`, `name__`, ... that is free, and returns it. */
  claim(name: string): string {
    let candidate = name;
    while (this.taken.has(candidate)) candidate += "_";
    this.taken.add(candidate);
    return candidate;
  }
}

/** A table for a module's top-level names, with everything the generator reserves. */
export function moduleNameTable(): NameTable {
  return new NameTable([...RESERVED_WORDS, ...GLOBAL_NAMES, ...MODULE_NAMES, ...IMPORTED_NAMES]);
}

/** A table for the method names shared by the client class and the handlers interface. */
export function memberNameTable(): NameTable {
  return new NameTable(MEMBER_RESERVED);
}

/** A table for the namespaces `index.ts` exports. */
export function namespaceNameTable(): NameTable {
  return new NameTable([...RESERVED_WORDS, ...GLOBAL_NAMES]);
}

/** `client_id` → `ClientId`, `userName` → `UserName`: each `_`-separated part capitalized. */
export function pascalCase(name: string): string {
  return name
    .split(/[_.-]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}

/**
 * `GetInfo` → `getInfo`, `URLFetch` → `urlFetch`, `IOError` → `ioError`: the leading run of
 * capitals is lowered, except its last letter when a lower-case letter follows it.
 */
export function lowerCamelCase(name: string): string {
  const run = /^[A-Z]+/.exec(name)?.[0] ?? "";
  if (run.length === 0) return name;
  if (run.length === name.length) return name.toLowerCase();
  const rest = name.slice(run.length);
  if (run.length > 1 && /^[a-z]/.test(rest)) {
    return run.slice(0, -1).toLowerCase() + run.slice(-1) + rest;
  }
  return run.toLowerCase() + rest;
}

/**
 * The namespace `index.ts` exports an interface as: its labels in PascalCase, joined
 * (`org.example.more` → `OrgExampleMore`); a leading digit gets a `_` in front.
 */
export function namespaceName(interfaceName: string): string {
  const joined = pascalCase(interfaceName);
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/** Whether `name` can be written as a property name without quotes. */
export function isPlainPropertyName(name: string): boolean {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name);
}

/** `name` as a property key: bare when it is an identifier, a string literal otherwise. */
export function propertyKey(name: string): string {
  return isPlainPropertyName(name) ? name : JSON.stringify(name);
}
