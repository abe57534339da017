/**
 * The interfaces a service implements, in registration order, and their methods' handlers.
 */
import type { InterfaceDefinition, MethodMember } from "../idl/model.js";
import { methodMode, type MethodMode } from "../idl/call-modes.js";
import { NO_BIGINTS, type BigintFields } from "../interface/bigint-fields.js";
import { integerCodec } from "../validate/integers.js";
import type { ValidationIssue } from "../validate/issue.js";
import type { MethodHandler } from "./types.js";

/** One method of an implemented interface, found by its fully qualified name. */
export interface RegisteredMethod {
  readonly definition: InterfaceDefinition;
  readonly method: MethodMember;
  /** Undefined when the method has no handler. */
  readonly handler: MethodHandler<never, object> | undefined;
  /** The call modes systemd's markers allow. */
  readonly mode: MethodMode;
  /** Reads the parameters' integers exactly (see validate/integers.ts); undefined when none. */
  readonly integers: ((parameters: object) => ValidationIssue | undefined) | undefined;
}

/** Interfaces by name, in the order they were added. */
export class InterfaceRegistry {
  private readonly interfaces = new Map<string, InterfaceDefinition>();
  /**
   * Every method by its fully qualified name, so that a call costs one lookup; a Map, so no
   * method name can reach an object prototype.
   */
  private readonly methods = new Map<string, RegisteredMethod>();

  /**
   * Adds an interface. `handlers` is any object, a class instance included (methods on its
   * prototype count); `keys` maps each varlink method name to the handler's key in it, by default
   * the method name itself. Handlers are called with `this` set to `handlers`.
   * @throws Error when an interface of the same name is already registered.
   * @throws TypeError when a key of a plain `handlers` object is not a method of the
   *   interface, or a handler is not a function.
   */
  add(
    definition: InterfaceDefinition,
    handlers: object,
    keys: ReadonlyMap<string, string> = identityKeys(definition),
    bigints: BigintFields = NO_BIGINTS,
  ): void {
    if (this.interfaces.has(definition.name)) {
      throw new Error(`interface ${definition.name} is already registered`);
    }
    checkHandlerKeys(handlers, new Set(keys.values()), definition.name);
    const found = new Map<string, MethodHandler<never, object>>();
    for (const [name, key] of keys) {
      const handler = handlerAt(handlers, key);
      if (handler === undefined) continue;
      if (typeof handler !== "function") {
        throw new TypeError(`the handler of ${definition.name}.${name} is not a function`);
      }
      found.set(name, (handler as MethodHandler<never, object>).bind(handlers));
    }
    this.interfaces.set(definition.name, definition);
    for (const [name, method] of definition.methods) {
      this.methods.set(`${definition.name}.${name}`, {
        definition,
        method,
        handler: found.get(name),
        mode: methodMode(method),
        integers: integerCodec(definition, method.input, bigints),
      });
    }
  }

  /** The method called `qualifiedName` (`org.example.more.Ping`), if its interface is registered. */
  method(qualifiedName: string): RegisteredMethod | undefined {
    return this.methods.get(qualifiedName);
  }

  /** The interface called `name`, if it is registered. */
  get(name: string): InterfaceDefinition | undefined {
    return this.interfaces.get(name);
  }

  /** Every definition in registration order. */
  definitions(): Iterable<InterfaceDefinition> {
    return this.interfaces.values();
  }
}

/**
 * Refuses a plain object's key that names no method, a misspelling that would otherwise leave
 * the method answering MethodNotImplemented. A class instance may hold other state and methods.
 */
export function checkHandlerKeys(handlers: object, known: ReadonlySet<string>, name: string): void {
  const prototype: unknown = Object.getPrototypeOf(handlers);
  if (prototype !== Object.prototype && prototype !== null) return;
  for (const key of Object.keys(handlers)) {
    if (!known.has(key)) throw new TypeError(`${key} is not a method of ${name}`);
  }
}

/** Each method keyed by its own varlink name. */
function identityKeys(definition: InterfaceDefinition): Map<string, string> {
  return new Map([...definition.methods.keys()].map((name) => [name, name]));
}

/**
 * The value at `key` in `handlers`, looked up through its prototypes (so a class instance's
 * methods are found), but not one every object inherits, such as `toString`.
 */
export function handlerAt(handlers: object, key: string): unknown {
  const value: unknown = (handlers as Record<string, unknown>)[key];
  if (Object.hasOwn(handlers, key)) return value;
  // Inherited, these are the object's class and its prototype: never a handler.
  if (key === "constructor" || key === "__proto__") return undefined;
  return value === (Object.prototype as Record<string, unknown>)[key] ? undefined : value;
}
