/**
 * Prints an interface definition in the canonical varlink style (that of libvarlink's and Rust's
 * `varlink format`, members in source order): 80 columns, two-space indent, structs broken one
 * field a line when they do not fit.
 */
import type {
  Doc,
  EnumType,
  InterfaceDefinition,
  Member,
  MethodMember,
  StructType,
  VarlinkType,
} from "./model.js";
import { parseInterface, type ParseOptions } from "./parser.js";

/** The column limit a line must fit in to stay unbroken. */
const WIDTH = 80;

/**
 * The canonical text of an interface: its doc, `interface NAME`, then each member after one blank
 * line with its doc right above it, and one newline at the end. Every doc comment of the model
 * (interface, members, fields, enum values) is printed; formatting is idempotent.
 */
export function formatInterface(definition: InterfaceDefinition): string {
  let text = docLines(definition.doc, "") + `interface ${definition.name}\n`;
  for (const member of definition.members) {
    text += "\n" + docLines(member.doc, "") + formatMember(member) + "\n";
  }
  return text;
}

/**
 * Parses `source` and prints it canonically.
 *
 * @throws {VarlinkSyntaxError} when the source does not parse.
 */
export function formatSource(source: string, options: ParseOptions = {}): string {
  return formatInterface(parseInterface(source, options));
}

function formatMember(member: Member): string {
  switch (member.kind) {
    case "type":
      return formatHeaded(`type ${member.name} `, member.type);
    case "error":
      return formatHeaded(`error ${member.name} `, member.parameters);
    case "method":
      return formatMethod(member);
  }
}

/** `type X (...)` and `error X (...)`: one line when it fits, else the struct or enum breaks. */
function formatHeaded(head: string, type: StructType | EnumType): string {
  if (!mustBreak(type)) {
    const line = head + oneLine(type);
    if (line.length <= WIDTH) {
      return line;
    }
  }
  return head + broken(type, "");
}

/**
 * Methods break as Rust's formatter breaks them: the whole method on one line if it fits; else the
 * input on the first line and the output broken, if `method X(input) -> (` fits with a column to
 * spare (or the input is empty); else the input broken and the output on the closing line, if
 * `) -> (output)` fits with two columns to spare; else both broken. The margins are Rust's, kept
 * so both formatters agree to the character.
 */
function formatMethod(method: MethodMember): string {
  const head = `method ${method.name}`;
  const input = mustBreak(method.input) ? undefined : oneLine(method.input);
  const output = mustBreak(method.output) ? undefined : oneLine(method.output);
  if (input !== undefined && output !== undefined) {
    const line = `${head}${input} -> ${output}`;
    if (line.length <= WIDTH) {
      return line;
    }
  }
  if (input !== undefined && (`${head}${input} -> (`.length + 1 <= WIDTH || input === "()")) {
    return `${head}${input} -> ${broken(method.output, "")}`;
  }
  if (output !== undefined && `) -> ${output}`.length + 2 <= WIDTH) {
    return `${head}${broken(method.input, "")} -> ${output}`;
  }
  return `${head}${broken(method.input, "")} -> ${broken(method.output, "")}`;
}

/** The type on one line, as `name: type, ...` inside parentheses. */
function oneLine(type: VarlinkType): string {
  switch (type.kind) {
    case "named":
      return type.name;
    case "struct":
      return `(${type.fields.map((field) => `${field.name}: ${oneLine(field.type)}`).join(", ")})`;
    case "enum":
      return `(${type.values.map((value) => value.name).join(", ")})`;
    case "array":
      return `[]${oneLine(type.element)}`;
    case "map":
      return `[string]${oneLine(type.value)}`;
    case "set":
      return "[string]()";
    case "nullable":
      return `?${oneLine(type.inner)}`;
    default:
      return type.kind;
  }
}

/**
 * The type with its outermost struct or enum broken one entry a line, `indent` being the indent
 * of the line it starts on. Nested structs stay on their line when that line fits.
 */
function broken(type: VarlinkType, indent: string): string {
  switch (type.kind) {
    case "array":
      return `[]${broken(type.element, indent)}`;
    case "map":
      return `[string]${broken(type.value, indent)}`;
    case "nullable":
      return `?${broken(type.inner, indent)}`;
    case "struct":
      return brokenStruct(type, indent);
    case "enum":
      return brokenEnum(type, indent);
    default:
      return oneLine(type);
  }
}

function brokenStruct(struct: StructType, indent: string): string {
  if (struct.fields.length === 0) {
    return "()";
  }
  const inner = indent + "  ";
  let text = "(\n";
  struct.fields.forEach((field, index) => {
    const comma = index < struct.fields.length - 1 ? "," : "";
    let line = `${inner}${field.name}: ${oneLine(field.type)}`;
    // Rust's formatter measures every field with a comma, the last one too, so whether a field
    // breaks does not depend on where it stands.
    if (mustBreak(field.type) || line.length + 1 > WIDTH) {
      line = `${inner}${field.name}: ${broken(field.type, inner)}`;
    }
    line += comma;
    text += docLines(field.doc, inner) + line + "\n";
  });
  return text + indent + ")";
}

function brokenEnum(enumType: EnumType, indent: string): string {
  const inner = indent + "  ";
  let text = "(\n";
  enumType.values.forEach((value, index) => {
    const comma = index < enumType.values.length - 1 ? "," : "";
    text += docLines(value.doc, inner) + inner + value.name + comma + "\n";
  });
  return text + indent + ")";
}

/** Whether the type holds a documented field or enum value, whose comments need lines of their own. */
function mustBreak(type: VarlinkType): boolean {
  switch (type.kind) {
    case "struct":
      return type.fields.some((field) => field.doc.length > 0 || mustBreak(field.type));
    case "enum":
      return type.values.some((value) => value.doc.length > 0);
    case "array":
      return mustBreak(type.element);
    case "map":
      return mustBreak(type.value);
    case "nullable":
      return mustBreak(type.inner);
    default:
      return false;
  }
}

/** `# line` for each doc line (`#` alone for an empty one), each at `indent`. */
function docLines(doc: Doc, indent: string): string {
  let text = "";
  for (const entry of doc) {
    for (const line of entry.split(/\r?\n/)) {
      text += line === "" ? `${indent}#\n` : `${indent}# ${line}\n`;
    }
  }
  return text;
}
