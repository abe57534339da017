/**
 * What the positional arguments of `call` and `introspect` name: an address, an interface, a
 * method, written the ways users know from libvarlink (`ADDRESS/iface.Method`) and from systemd's
 * varlinkctl (`ADDRESS iface.Method`).
 */
import { existsSync, statSync } from "node:fs";
import { isInterfaceName, isMemberName } from "@varlink-ts/runtime/idl";
import { parseAddress } from "@varlink-ts/runtime/transport";
import { usageError } from "./failures.js";

/** A method and, when the command line gave one, the address of its service. */
export interface MethodTarget {
  /** The address as written, or undefined to use --bridge, --activate or the resolver. */
  readonly address: string | undefined;
  /** `org.example.more` */
  readonly interfaceName: string;
  /** `Ping` */
  readonly memberName: string;
  /** `org.example.more.Ping` */
  readonly method: string;
}

/** Interfaces to describe and, when the command line gave one, the address of their service. */
export interface InterfaceTargets {
  readonly address: string | undefined;
  /** Empty for "every interface of the service". */
  readonly interfaces: readonly string[];
}

/** Every address starts with its kind and a colon; interface and method names have no colon. */
export function looksLikeAddress(text: string): boolean {
  return /^[a-z][a-z0-9-]*:/.test(text);
}

/** Splits `org.example.more.Ping`, or undefined when it is not a qualified method name. */
export function splitMethodName(
  text: string,
): { interfaceName: string; memberName: string } | undefined {
  const dot = text.lastIndexOf(".");
  const interfaceName = text.slice(0, dot);
  const memberName = text.slice(dot + 1);
  if (dot === -1 || !isInterfaceName(interfaceName) || !isMemberName(memberName)) return undefined;
  return { interfaceName, memberName };
}

function methodTarget(address: string | undefined, method: string): MethodTarget {
  const parts = splitMethodName(method);
  if (parts === undefined) {
    throw usageError(
      `"${method}" is not a method name: expected INTERFACE.METHOD, such as org.example.more.Ping`,
    );
  }
  return { address, method, ...parts };
}

/**
 * The target of `varlink call`: `[ADDRESS/]INTERFACE.METHOD [PARAMETERS]` (libvarlink) or
 * `ADDRESS INTERFACE.METHOD [PARAMETERS]` (varlinkctl). The second form is recognised by its
 * second argument being a method name, which JSON parameters and `-` never are. The first splits
 * at the last `/`, since a method name has none: `ssh-unix:host:/run/x.sock/org.example.more.Ping`
 * and `ssh-exec:host:/usr/bin/svc --flag/org.example.more.Ping` keep their colons and slashes.
 *
 * @returns the target and the parameters argument, if any.
 */
export function parseCallArguments(
  first: string,
  second: string | undefined,
  third: string | undefined,
): { target: MethodTarget; parameters: string | undefined } {
  if (second !== undefined && looksLikeAddress(first) && splitMethodName(second) !== undefined) {
    return { target: methodTarget(first, second), parameters: third };
  }
  if (third !== undefined) {
    throw usageError(`unexpected argument "${third}": the parameters are one JSON object`);
  }
  if (!looksLikeAddress(first)) {
    return { target: methodTarget(undefined, first), parameters: second };
  }
  const slash = first.lastIndexOf("/");
  if (slash === -1) {
    throw usageError(
      `"${first}" names no method: write ADDRESS/INTERFACE.METHOD or ADDRESS INTERFACE.METHOD`,
    );
  }
  return { target: methodTarget(first.slice(0, slash), first.slice(slash + 1)), parameters: second };
}

/**
 * Whether `ADDRESS/INTERFACE` should be split: a unix socket path may itself end in what looks
 * like an interface name (`/run/org.example.more`), so the split is made only when the whole path
 * is not there but the shorter one is. Other kinds split when the whole is not an address; the
 * path of `ssh-unix:HOST:PATH` is on another machine and cannot be looked at, so, like `exec:`, it
 * is taken whole (systemd names its sockets after interfaces: `/run/systemd/io.systemd.Hostname`).
 */
function isAddressWithInterface(whole: string, address: string): boolean {
  let parsed;
  try {
    parsed = parseAddress(whole);
  } catch {
    return true;
  }
  if (parsed.kind !== "unix" || existsSync(parsed.path)) return false;
  try {
    const shorter = parseAddress(address);
    // A socket, not merely something that exists: `unix:/run/dir/missing.sock` names a missing
    // socket in a directory, not the interface `missing.sock` at `unix:/run/dir`.
    return shorter.kind === "unix" && isSocket(shorter.path);
  } catch {
    return false;
  }
}

function isSocket(path: string): boolean {
  try {
    // `bigint: true` is not about size: on Node 20.20 a plain statSync of a socket, after a CommonJS
    // require, breaks resolving symlinked CommonJS packages later in the process (ts-morph, for
    // varlink-codegen). The bigint form takes another path in Node and does not.
    return statSync(path, { bigint: true }).isSocket();
  } catch {
    return false;
  }
}

/**
 * The targets of `varlink introspect`: `ADDRESS [INTERFACE...]`, `ADDRESS/INTERFACE` (libvarlink's
 * `help`), or only `INTERFACE...` (with --bridge, --activate, or through the resolver).
 */
export function parseInterfaceArguments(args: readonly string[]): InterfaceTargets {
  const [first, ...rest] = args;
  let address: string | undefined;
  let interfaces: readonly string[] = args;
  if (first !== undefined && looksLikeAddress(first)) {
    address = first;
    interfaces = rest;
    const slash = first.lastIndexOf("/");
    const suffix = first.slice(slash + 1);
    if (rest.length === 0 && slash !== -1 && isInterfaceName(suffix)) {
      const prefix = first.slice(0, slash);
      if (isAddressWithInterface(first, prefix)) {
        address = prefix;
        interfaces = [suffix];
      }
    }
  }
  for (const name of interfaces) {
    if (!isInterfaceName(name)) {
      throw usageError(`"${name}" is not an interface name such as org.example.more`);
    }
  }
  return { address, interfaces };
}
