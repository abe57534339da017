/**
 * The naming rules of the varlink IDL, shared by the parser and by anything that builds names
 * (servers checking a call's method, code generators).
 */

const MEMBER_NAME = /^[A-Z][A-Za-z0-9]*$/;
const FIELD_NAME = /^[A-Za-z](?:_?[A-Za-z0-9])*$/;
const LABEL_CHAR = /^[A-Za-z0-9-]$/;

/** Whether `name` may name a type, method or error: `[A-Z][A-Za-z0-9]*`. */
export function isMemberName(name: string): boolean {
  return MEMBER_NAME.test(name);
}

/**
 * Whether `name` may name a field or an enum value: `[A-Za-z](_?[A-Za-z0-9])*`. Upper-case starts
 * and keywords (`type`, `enum`, `interface`, `if`) are allowed, as most peers allow them.
 */
export function isFieldName(name: string): boolean {
  return FIELD_NAME.test(name);
}

/** What is wrong with an interface name, and the index of the character at fault. */
export interface InterfaceNameProblem {
  readonly index: number;
  readonly reason: string;
}

/**
 * Checks a reverse-domain interface name: at least two dot-separated labels of letters, digits
 * and inner dashes, the first label starting with a letter. Returns `undefined` when it is valid.
 */
export function interfaceNameProblem(name: string): InterfaceNameProblem | undefined {
  if (name === "") {
    return { index: 0, reason: "expected interface name" };
  }
  let labelStart = 0;
  let labels = 0;
  for (let i = 0; i <= name.length; i++) {
    const char = name[i];
    if (char !== undefined && char !== ".") {
      if (!LABEL_CHAR.test(char)) {
        const shown = String.fromCodePoint(name.codePointAt(i) ?? 0);
        return { index: i, reason: `invalid character '${shown}' in interface name` };
      }
      continue;
    }
    const label = name.slice(labelStart, i);
    if (label === "") {
      return { index: i, reason: "empty label in interface name" };
    }
    if (label.startsWith("-")) {
      return { index: labelStart, reason: "interface name labels cannot start with '-'" };
    }
    if (label.endsWith("-")) {
      return { index: i - 1, reason: "interface name labels cannot end with '-'" };
    }
    if (labels === 0 && !/^[A-Za-z]/.test(label)) {
      return { index: 0, reason: "interface name must start with a letter" };
    }
    labels++;
    labelStart = i + 1;
  }
  if (labels < 2) {
    return {
      index: 0,
      reason: `interface name '${name}' needs at least two dot-separated labels`,
    };
  }
  return undefined;
}

/** Whether `name` is a valid interface name (see {@link interfaceNameProblem}). */
export function isInterfaceName(name: string): boolean {
  return interfaceNameProblem(name) === undefined;
}
