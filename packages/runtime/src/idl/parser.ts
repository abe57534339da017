/**
 * Recursive-descent parser for varlink interface definitions. It builds the model of model.ts,
 * attaches documentation comments, and hands the result to the checker.
 */
import { checkInterface, PRIMITIVE_TYPES, type Issue } from "./checker.js";
import { Lexer, type Token, type TokenKind, type Trivia } from "./lexer.js";
import type {
  EnumType,
  EnumValue,
  ErrorMember,
  Field,
  InterfaceDefinition,
  Member,
  MethodMember,
  PrimitiveKind,
  SourcePosition,
  StructType,
  TypeMember,
  VarlinkType,
} from "./model.js";
import { interfaceNameProblem, isFieldName, isMemberName } from "./names.js";
import { didYouMean } from "./suggest.js";
import { VarlinkSyntaxError } from "./syntax-error.js";

/**
 * How deeply types may nest (each struct, enum, `[]`, `[string]` and `?` is one level, the member's
 * own struct the first). Deeper input is a syntax error, so code that walks a parsed model
 * recursively cannot overflow the stack.
 */
export const MAX_NESTING_DEPTH = 64;

/** Options of {@link parseInterface}. */
export interface ParseOptions {
  /** The file name to put in error messages and in the definition. */
  readonly file?: string | undefined;
}

const PRIMITIVES: ReadonlySet<string> = new Set(PRIMITIVE_TYPES);
const MEMBER_KEYWORDS = ["type", "method", "error"];
const EXPECTED_MEMBER = "expected 'type', 'method' or 'error'";
const MEMBER_NAME_RULE = "must start with an upper-case letter and hold only letters and digits";

/**
 * Parses and checks one `.varlink` interface definition.
 *
 * @throws {VarlinkSyntaxError} on any syntax error or failed check (duplicate names, unknown
 *   types, nesting deeper than {@link MAX_NESTING_DEPTH}); nothing else is ever thrown for a string.
 */
export function parseInterface(source: string, options: ParseOptions = {}): InterfaceDefinition {
  if (typeof source !== "string") {
    throw new TypeError("parseInterface expects the interface definition as a string");
  }
  return new Parser(source, options.file).parse();
}

/** A doc array still being filled, with the line its item last ended on (for trailing comments). */
interface DocTarget {
  readonly doc: string[];
  readonly line: number;
}

class Parser {
  private readonly lexer: Lexer;
  private lookahead: Token | undefined;
  /** Comment lines directly above the next token, waiting for an item to document. */
  private pending: string[] = [];
  /** The item a comment at the end of the current line documents. */
  private last: DocTarget | undefined;
  private previousEnd: SourcePosition | undefined;
  private readonly issues: Issue[] = [];

  constructor(
    private readonly source: string,
    private readonly file: string | undefined,
  ) {
    this.lexer = new Lexer(source, file);
  }

  parse(): InterfaceDefinition {
    const keyword = this.peek();
    const doc = this.takeDoc();
    if (keyword.kind !== "word" || keyword.text !== "interface") {
      this.failKeyword("expected 'interface'", keyword, ["interface"]);
    }
    this.next();
    const name = this.parseInterfaceName(keyword);
    this.last = { doc, line: name.end.line };

    const members: Member[] = [];
    while (this.peek().kind !== "eof") {
      members.push(this.parseMember());
    }
    const definition = checkInterface(
      {
        name: name.text,
        doc,
        members,
        source: this.source,
        file: this.file,
        position: keyword.position,
      },
      this.issues,
    );
    const first = this.issues.reduce<Issue | undefined>(
      (earliest, issue) =>
        earliest === undefined || issue.position.offset < earliest.position.offset
          ? issue
          : earliest,
      undefined,
    );
    if (first !== undefined) {
      throw this.error(`${first.reason}${first.hint?.() ?? ""}`, first.position);
    }
    return definition;
  }

  private parseInterfaceName(keyword: Token): Token {
    this.lookahead = this.lexer.scan("interface-name");
    this.absorb(this.lookahead.trivia);
    const name = this.peek();
    const isKeyword = name.text === "type" || name.text === "method" || name.text === "error";
    if (name.kind !== "word" || (isKeyword && name.position.line > keyword.end.line)) {
      this.expected("expected interface name after 'interface'");
    }
    const problem = interfaceNameProblem(name.text);
    if (problem !== undefined) {
      const offset = name.position.offset + problem.index;
      throw this.error(problem.reason, {
        line: name.position.line,
        column: name.position.column + problem.index,
        offset,
      });
    }
    return this.next();
  }

  private parseMember(): Member {
    const keyword = this.peek();
    const doc = this.takeDoc();
    if (keyword.kind !== "word") {
      this.failAt(EXPECTED_MEMBER, keyword);
    }
    let member: Member;
    switch (keyword.text) {
      case "type":
        member = this.parseTypeMember(keyword, doc);
        break;
      case "method":
        member = this.parseMethod(keyword, doc);
        break;
      case "error":
        member = this.parseError(keyword, doc);
        break;
      default:
        this.failKeyword(EXPECTED_MEMBER, keyword, MEMBER_KEYWORDS);
    }
    this.last = { doc, line: this.previousLine() };
    return member;
  }

  private parseMemberName(keyword: string): Token {
    this.next();
    const name = this.peek();
    if (name.kind !== "word") {
      this.expected(`expected ${keyword} name after '${keyword}'`);
    }
    if (!isMemberName(name.text)) {
      this.failAt(`invalid ${keyword} name '${name.text}': ${MEMBER_NAME_RULE}`, name);
    }
    return this.next();
  }

  private parseTypeMember(keyword: Token, doc: string[]): TypeMember {
    const name = this.parseMemberName("type");
    if (this.peek().kind !== "(") {
      this.expected("expected '(' after type name");
    }
    const type = this.parseParenthesized(1, doc, "either");
    return { kind: "type", name: name.text, type, doc, position: keyword.position };
  }

  private parseMethod(keyword: Token, doc: string[]): MethodMember {
    const name = this.parseMemberName("method");
    if (this.peek().kind !== "(") {
      this.expected("expected '(' after method name");
    }
    const input = this.parseParenthesized(1, doc, "struct");
    this.expect("->", "expected '->' after method input");
    if (this.peek().kind !== "(") {
      this.expected("expected '(' after '->'");
    }
    const output = this.parseParenthesized(1, doc, "struct");
    return {
      kind: "method",
      name: name.text,
      input,
      output,
      doc,
      position: keyword.position,
    };
  }

  private parseError(keyword: Token, doc: string[]): ErrorMember {
    const name = this.parseMemberName("error");
    if (this.peek().kind !== "(") {
      this.expected("expected '(' after error name");
    }
    const parameters = this.parseParenthesized(1, doc, "struct");
    return { kind: "error", name: name.text, parameters, doc, position: keyword.position };
  }

  /**
   * `( ... )` at the lookahead: a struct, or (when `mode` allows) an enum, told apart by whether
   * the first entry has a `:`. `owner` is the doc of the member or field the parentheses belong to.
   */
  private parseParenthesized(depth: number, owner: string[], mode: "struct"): StructType;
  private parseParenthesized(depth: number, owner: string[], mode: "either"): StructType | EnumType;
  private parseParenthesized(
    depth: number,
    owner: string[],
    mode: "struct" | "either",
  ): StructType | EnumType {
    const open = this.next();
    // A comment after an opening parenthesis documents what the parentheses belong to.
    this.last = { doc: owner, line: open.position.line };
    if (this.peek().kind === ")") {
      this.next();
      return { kind: "struct", fields: [], position: open.position };
    }
    const first = this.peek();
    if (first.kind !== "word") {
      this.expected(
        mode === "struct" ? "expected field name" : "expected field name or enum value",
      );
    }
    const doc = this.takeDoc();
    this.next();
    this.last = { doc, line: first.end.line };
    const after = this.peek();
    if (mode === "struct" || after.kind === ":") {
      return this.parseStructFields(depth, open, first, doc);
    }
    if (looksLikeType(after)) {
      // `(a int)`: a field that lost its colon, not an enum that lost its comma.
      this.expected("expected ':' after field name");
    }
    return this.parseEnumValues(open, first, doc);
  }

  private parseStructFields(
    depth: number,
    open: Token,
    firstName: Token,
    firstDoc: string[],
  ): StructType {
    const fields: Field[] = [];
    const seen = new Map<string, Field>();
    let name = firstName;
    let doc = firstDoc;
    for (;;) {
      if (!isFieldName(name.text)) {
        this.failAt(`invalid field name '${name.text}'`, name);
      }
      this.expect(":", "expected ':' after field name");
      const type = this.parseType(depth + 1, doc);
      const field: Field = { name: name.text, type, doc, position: name.position };
      const earlier = seen.get(field.name);
      if (earlier !== undefined) {
        this.issues.push({
          reason: `duplicate field '${field.name}' (first defined at ${where(earlier.position)})`,
          position: field.position,
        });
      } else {
        seen.set(field.name, field);
      }
      fields.push(field);
      this.last = { doc, line: this.previousLine() };

      const separator = this.peek();
      if (separator.kind === ")") {
        this.next();
        return { kind: "struct", fields, position: open.position };
      }
      if (separator.kind !== ",") {
        this.expected("expected ',' or ')' after field");
      }
      this.next();
      if (this.peek().kind !== "word") {
        this.expected("expected field name after ','");
      }
      doc = this.takeDoc();
      name = this.next();
      this.last = { doc, line: name.end.line };
    }
  }

  private parseEnumValues(open: Token, firstName: Token, firstDoc: string[]): EnumType {
    const values: EnumValue[] = [];
    const seen = new Map<string, EnumValue>();
    let name = firstName;
    let doc = firstDoc;
    for (;;) {
      if (!isFieldName(name.text)) {
        this.failAt(`invalid enum value '${name.text}'`, name);
      }
      const value: EnumValue = { name: name.text, doc, position: name.position };
      const earlier = seen.get(value.name);
      if (earlier !== undefined) {
        this.issues.push({
          reason: `duplicate enum value '${value.name}' (first defined at ${where(earlier.position)})`,
          position: value.position,
        });
      } else {
        seen.set(value.name, value);
      }
      values.push(value);

      const separator = this.peek();
      if (separator.kind === ")") {
        this.next();
        return { kind: "enum", values, position: open.position };
      }
      if (separator.kind === ":") {
        this.failAt(
          `unexpected ':': this is an enum, because its first entry '${firstName.text}' has no type`,
          separator,
        );
      }
      if (separator.kind !== ",") {
        this.expected("expected ',' or ')' after enum value");
      }
      this.next();
      if (this.peek().kind !== "word") {
        this.expected("expected enum value after ','");
      }
      doc = this.takeDoc();
      name = this.next();
      this.last = { doc, line: name.end.line };
    }
  }

  /** A type at nesting level `depth`; `owner` is the doc of the field it belongs to. */
  private parseType(depth: number, owner: string[]): VarlinkType {
    const token = this.peek();
    if (depth > MAX_NESTING_DEPTH) {
      this.failAt(`types nested too deeply (more than ${MAX_NESTING_DEPTH} levels)`, token);
    }
    switch (token.kind) {
      case "?": {
        this.next();
        const inner = this.peek();
        if (inner.kind === "?") {
          this.failAt("'??' is not a type: a nullable type cannot be made nullable again", inner);
        }
        return {
          kind: "nullable",
          inner: this.parseType(depth + 1, owner),
          position: token.position,
        };
      }
      case "[":
        return this.parseArrayOrMap(depth, owner, token);
      case "(":
        return this.parseParenthesized(depth, owner, "either");
      case "word":
        return this.parseTypeName(token);
      default:
        return this.expected("expected a type");
    }
  }

  private parseArrayOrMap(depth: number, owner: string[], open: Token): VarlinkType {
    this.next();
    const key = this.peek();
    if (key.kind === "]") {
      this.next();
      return { kind: "array", element: this.parseType(depth + 1, owner), position: open.position };
    }
    if (key.kind !== "word" || key.text !== "string") {
      this.expected("expected ']' or 'string' after '['");
    }
    this.next();
    this.expect("]", "expected ']' after '[string'");
    const value = this.parseType(depth + 1, owner);
    if (value.kind === "struct" && value.fields.length === 0) {
      return { kind: "set", position: open.position };
    }
    return { kind: "map", value, position: open.position };
  }

  private parseTypeName(token: Token): VarlinkType {
    this.next();
    const name = token.text;
    if (PRIMITIVES.has(name)) {
      return { kind: name as PrimitiveKind, position: token.position };
    }
    if (!/^[A-Z]/.test(name)) {
      // Defined types start with a capital, so only a primitive can be meant here.
      this.failAt(`unknown type '${name}'${didYouMean(name, PRIMITIVE_TYPES)}`, token);
    }
    if (!isMemberName(name)) {
      this.failAt(`invalid type name '${name}': ${MEMBER_NAME_RULE}`, token);
    }
    return { kind: "named", name, position: token.position };
  }

  // --- tokens, docs and errors -------------------------------------------------------------

  private peek(): Token {
    if (this.lookahead === undefined) {
      this.lookahead = this.lexer.scan("normal");
      this.absorb(this.lookahead.trivia);
    }
    return this.lookahead;
  }

  private next(): Token {
    const token = this.peek();
    this.lookahead = undefined;
    this.pending = [];
    this.previousEnd = token.end;
    return token;
  }

  private expect(kind: TokenKind, reason: string): Token {
    if (this.peek().kind !== kind) {
      this.expected(reason);
    }
    return this.next();
  }

  /** Sorts the comments before a token: trailing ones to the item on their line, others pending. */
  private absorb(trivia: readonly Trivia[]): void {
    for (const item of trivia) {
      if (item.kind === "blank") {
        this.pending = [];
      } else if (item.trailing && this.last !== undefined && this.last.line === item.line) {
        this.last.doc.push(item.text);
      } else {
        this.pending.push(item.text);
      }
    }
  }

  private takeDoc(): string[] {
    const doc = this.pending;
    this.pending = [];
    return doc;
  }

  private previousLine(): number {
    return this.previousEnd?.line ?? 1;
  }

  private error(reason: string, position: SourcePosition): VarlinkSyntaxError {
    return new VarlinkSyntaxError(reason, { source: this.source, position, file: this.file });
  }

  private failAt(reason: string, token: Token): never {
    throw this.error(reason, token.position);
  }

  /**
   * Fails where a keyword belongs: a word close to one of `keywords` is taken for a misspelling
   * of it (`methd`), anything else gets `reason`.
   */
  private failKeyword(reason: string, token: Token, keywords: readonly string[]): never {
    const hint = token.kind === "word" ? didYouMean(token.text, keywords) : "";
    this.failAt(hint === "" ? reason : `unknown keyword '${token.text}'${hint}`, token);
  }

  /**
   * Reports a missing token. When what stands there is on a later line (or is the end of the
   * input), the caret goes right after the previous token, where the missing one belongs.
   */
  private expected(reason: string): never {
    const found = this.peek();
    const previous = this.previousEnd;
    if (previous !== undefined && (found.kind === "eof" || found.position.line > previous.line)) {
      throw this.error(reason, previous);
    }
    throw this.error(reason, found.position);
  }
}

function where(position: SourcePosition): string {
  return `${position.line}:${position.column}`;
}

/** Whether a token can only start a type, so a name before it must be a field, not an enum value. */
function looksLikeType(token: Token): boolean {
  return (
    token.kind === "?" ||
    token.kind === "[" ||
    (token.kind === "word" && (PRIMITIVES.has(token.text) || /^[A-Z]/.test(token.text)))
  );
}
