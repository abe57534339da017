/**
 * Interfaces read from `.varlink` files, as the Python binding's `Service(interface_dir=…)` and
 * `@service.interface(name)` do.
 *
 * Reading is synchronous on purpose: it happens once, while the service is set up, before it
 * listens (as in Python), and a sync call keeps `addInterfaceFile` chainable like `addInterface`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { InterfaceDefinition } from "../idl/model.js";
import { isInterfaceName } from "../idl/names.js";
import { parseInterface } from "../idl/parser.js";

/**
 * Reads and parses the interface `name`: `${interfaceDir}/${name}.varlink`, or, when `name`
 * contains a `/` (`./ping.varlink`, `/usr/share/varlink/org.example.ping.varlink`), that file
 * itself. Only a slash makes a path: `com.example.varlink` is a valid interface name, so the
 * `.varlink` ending alone cannot tell the two apart.
 *
 * A name is checked against the interface the file declares; a path is not (the file says which
 * interface it holds). A relative path is taken from `interfaceDir` when there is one, else from
 * the current directory.
 *
 * @throws VarlinkSyntaxError when the file does not parse; its message starts `FILE:LINE:COL:`.
 * @throws TypeError when `name` is neither a path nor an interface name, when a name is given
 *   without `interfaceDir`, or when the file declares another interface than `name`.
 * @throws Error from `fs` (`code` `ENOENT`, …, the path in its message) when it cannot be read.
 */
export function readInterfaceFile(
  name: string,
  interfaceDir: string | URL | undefined,
): InterfaceDefinition {
  const dir = interfaceDir instanceof URL ? fileURLToPath(interfaceDir) : interfaceDir;
  const isPath = name.includes("/") || name.includes(path.sep);
  if (!isPath) {
    // Also what keeps a name from leaving the folder: `..` is not an interface name.
    if (!isInterfaceName(name)) {
      throw new TypeError(`${JSON.stringify(name)} is neither an interface name nor a path to a .varlink file`);
    }
    if (dir === undefined) {
      throw new TypeError(`cannot load the interface ${name}: the service has no interfaceDir`);
    }
  }
  const file = isPath ? path.resolve(dir ?? "", name) : path.join(dir ?? "", `${name}.varlink`);
  const definition = parseInterface(readFileSync(file, "utf8"), { file });
  if (!isPath && definition.name !== name) {
    throw new TypeError(`${file} defines the interface ${definition.name}, not ${name}`);
  }
  return definition;
}
