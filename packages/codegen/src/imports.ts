/**
 * The imports of a generated module, collected while its parts are emitted so that exactly the
 * names used are imported, values with `import` and types with `import type`.
 */
import { StructureKind } from "ts-morph";
import type { ImportDeclarationStructure, ImportSpecifierStructure } from "ts-morph";

/**
 * Collects imported names per module specifier. A name is kept as `name` or, when the module
 * imports it under another name, as `name as alias`.
 */
export class ImportSet {
  private readonly values = new Map<string, Set<string>>();
  private readonly types = new Map<string, Set<string>>();

  /** Records that `name` from `module` is used as a value (and maybe as a type too). */
  value(module: string, name: string, alias?: string): void {
    add(this.values, module, specifier(name, alias));
  }

  /** Records that `name` from `module` is used only as a type. */
  type(module: string, name: string, alias?: string): void {
    add(this.types, module, specifier(name, alias));
  }

  /**
   * The import declarations: `node:` modules first, then the others, each sorted, a value
   * import before the type import of the same module.
   */
  declarations(): ImportDeclarationStructure[] {
    const modules = [...new Set([...this.values.keys(), ...this.types.keys()])].sort(
      compareModules,
    );
    const declarations: ImportDeclarationStructure[] = [];
    for (const module of modules) {
      const values = this.values.get(module) ?? new Set<string>();
      const types = [...(this.types.get(module) ?? [])].filter((name) => !values.has(name));
      if (values.size > 0) {
        declarations.push({
          kind: StructureKind.ImportDeclaration,
          moduleSpecifier: module,
          namedImports: [...values].sort().map(importSpecifier),
        });
      }
      if (types.length > 0) {
        declarations.push({
          kind: StructureKind.ImportDeclaration,
          isTypeOnly: true,
          moduleSpecifier: module,
          namedImports: types.sort().map(importSpecifier),
        });
      }
    }
    return declarations;
  }
}

function specifier(name: string, alias: string | undefined): string {
  return alias === undefined ? name : `${name} as ${alias}`;
}

function importSpecifier(text: string): ImportSpecifierStructure {
  const [name = text, alias] = text.split(" as ");
  return alias === undefined
    ? { kind: StructureKind.ImportSpecifier, name }
    : { kind: StructureKind.ImportSpecifier, name, alias };
}

function add(map: Map<string, Set<string>>, module: string, name: string): void {
  const names = map.get(module);
  if (names === undefined) map.set(module, new Set([name]));
  else names.add(name);
}

function compareModules(a: string, b: string): number {
  const nodeA = a.startsWith("node:");
  const nodeB = b.startsWith("node:");
  if (nodeA !== nodeB) return nodeA ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
