/**
 * The interfaces a service implements, in registration order, with their handlers.
 */
import type { InterfaceDefinition, MethodMember } from "../idl/model.js";
import type { InterfaceHandlers, MethodHandler } from "./types.js";

/** One implemented interface. */
export interface RegisteredInterface {
  readonly definition: InterfaceDefinition;
  /** Handlers by method name; a Map, so no method name can reach an object prototype. */
  readonly handlers: ReadonlyMap<string, MethodHandler<never, object>>;
}

/** One method of an implemented interface, found by its fully qualified name. */
export interface RegisteredMethod {
  readonly definition: InterfaceDefinition;
  readonly method: MethodMember;
  /** Undefined when the method has no handler. */
  readonly handler: MethodHandler<never, object> | undefined;
}

/** Interfaces by name, in the order they were added. */
export class InterfaceRegistry {
  private readonly entries = new Map<string, RegisteredInterface>();
  /** Every method by its fully qualified name: one lookup per call instead of three. */
  private readonly methods = new Map<string, RegisteredMethod>();

  /**
   * Adds an interface.
   * @throws Error when an interface of the same name is already registered.
   * @throws TypeError when a handler key is not a method of the interface, or not a function.
   */
  add(definition: InterfaceDefinition, handlers: InterfaceHandlers): void {
    if (this.entries.has(definition.name)) {
      throw new Error(`interface ${definition.name} is already registered`);
    }
    const map = new Map<string, MethodHandler<never, object>>();
    for (const name of Object.keys(handlers)) {
      if (!definition.methods.has(name)) {
        throw new TypeError(`${name} is not a method of ${definition.name}`);
      }
      const handler: unknown = handlers[name];
      if (handler === undefined) continue;
      if (typeof handler !== "function") {
        throw new TypeError(`the handler of ${definition.name}.${name} is not a function`);
      }
      map.set(name, handler as MethodHandler<never, object>);
    }
    this.entries.set(definition.name, { definition, handlers: map });
    for (const [name, method] of definition.methods) {
      this.methods.set(`${definition.name}.${name}`, { definition, method, handler: map.get(name) });
    }
  }

  /** The method called `qualifiedName` (`org.example.more.Ping`), if its interface is registered. */
  method(qualifiedName: string): RegisteredMethod | undefined {
    return this.methods.get(qualifiedName);
  }

  /** The interface called `name`, if it is registered. */
  get(name: string): RegisteredInterface | undefined {
    return this.entries.get(name);
  }

  /** Every definition in registration order. */
  *definitions(): Iterable<InterfaceDefinition> {
    for (const entry of this.entries.values()) yield entry.definition;
  }
}
