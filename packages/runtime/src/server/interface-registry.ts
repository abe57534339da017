/**
 * The interfaces a service implements, in registration order, and their methods' handlers.
 */
import type { InterfaceDefinition, MethodMember } from "../idl/model.js";
import type { InterfaceHandlers, MethodHandler } from "./types.js";

/** One method of an implemented interface, found by its fully qualified name. */
export interface RegisteredMethod {
  readonly definition: InterfaceDefinition;
  readonly method: MethodMember;
  /** Undefined when the method has no handler. */
  readonly handler: MethodHandler<never, object> | undefined;
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
   * Adds an interface.
   * @throws Error when an interface of the same name is already registered.
   * @throws TypeError when a handler key is not a method of the interface, or not a function.
   */
  add(definition: InterfaceDefinition, handlers: InterfaceHandlers): void {
    if (this.interfaces.has(definition.name)) {
      throw new Error(`interface ${definition.name} is already registered`);
    }
    for (const name of Object.keys(handlers)) {
      if (!definition.methods.has(name)) {
        throw new TypeError(`${name} is not a method of ${definition.name}`);
      }
      const handler: unknown = handlers[name];
      if (handler !== undefined && typeof handler !== "function") {
        throw new TypeError(`the handler of ${definition.name}.${name} is not a function`);
      }
    }
    this.interfaces.set(definition.name, definition);
    for (const [name, method] of definition.methods) {
      const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
      this.methods.set(`${definition.name}.${name}`, { definition, method, handler });
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
