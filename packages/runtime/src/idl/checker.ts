/**
 * The checks that need the whole interface: one namespace for types, methods and errors, and
 * every named type defined as a `type` member.
 */
import type {
  ErrorMember,
  InterfaceDefinition,
  Member,
  MethodMember,
  SourcePosition,
  TypeMember,
  VarlinkType,
} from "./model.js";
import { didYouMean } from "./suggest.js";

/** The names of the primitive types, which need no `type` member. */
export const PRIMITIVE_TYPES = ["bool", "int", "float", "string", "object", "any"] as const;

/** A failed check: the parser reports the earliest one as a syntax error. */
export interface Issue {
  readonly reason: string;
  readonly position: SourcePosition;
  /**
   * A "did you mean" suffix for the reason, worked out only for the issue reported: a text
   * with many unknown names must not cost a search through the candidates for each.
   */
  readonly hint?: () => string;
}

/** What the parser has built before the checks: the definition without its lookup maps. */
export type ParsedInterface = Omit<InterfaceDefinition, "types" | "methods" | "errors">;

/**
 * Adds the name maps to a parsed interface and appends to `issues` every duplicate member name
 * and every reference to a type that is not a `type` member. The first definition of a duplicated
 * name is the one the maps keep.
 */
export function checkInterface(parsed: ParsedInterface, issues: Issue[]): InterfaceDefinition {
  const byName = new Map<string, Member>();
  const types = new Map<string, TypeMember>();
  const methods = new Map<string, MethodMember>();
  const errors = new Map<string, ErrorMember>();
  for (const member of parsed.members) {
    const earlier = byName.get(member.name);
    if (earlier !== undefined) {
      const { line, column } = earlier.position;
      issues.push({
        reason: `duplicate member '${member.name}' (first defined at ${line}:${column})`,
        position: member.position,
      });
      continue;
    }
    byName.set(member.name, member);
    if (member.kind === "type") {
      types.set(member.name, member);
    } else if (member.kind === "method") {
      methods.set(member.name, member);
    } else {
      errors.set(member.name, member);
    }
  }

  // What an unknown name may be a typo of: a primitive (`Strng`) or a defined type.
  const typeNames = [...PRIMITIVE_TYPES, ...types.keys()];
  const checkType = (type: VarlinkType): void => {
    switch (type.kind) {
      case "named": {
        const target = byName.get(type.name);
        if (target === undefined) {
          const { name } = type;
          issues.push({
            reason: `unknown type '${name}'`,
            position: type.position,
            hint: () => didYouMean(name, typeNames),
          });
        } else if (target.kind !== "type") {
          issues.push({
            reason: `'${type.name}' is ${target.kind === "method" ? "a method" : "an error"}, not a type`,
            position: type.position,
          });
        }
        return;
      }
      case "struct":
        for (const field of type.fields) {
          checkType(field.type);
        }
        return;
      case "array":
        checkType(type.element);
        return;
      case "map":
        checkType(type.value);
        return;
      case "nullable":
        checkType(type.inner);
        return;
      default:
        return;
    }
  };
  for (const member of parsed.members) {
    if (member.kind === "type") {
      checkType(member.type);
    } else if (member.kind === "method") {
      checkType(member.input);
      checkType(member.output);
    } else {
      checkType(member.parameters);
    }
  }

  return { ...parsed, types, methods, errors };
}
