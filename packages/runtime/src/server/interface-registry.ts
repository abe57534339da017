/**
 * The interfaces a service implements, in registration order, with their handlers.
 */
import type { InterfaceDefinition } from "../idl/model.js";
import type { InterfaceHandlers, MethodHandler } from "./types.js";

/** One implemented interface. */
export interface RegisteredInterface {
  readonly definition: InterfaceDefinition;
  /** Handlers by method name; a Map, so no method name can reach an object prototype. */
  readonly handlers: ReadonlyMap<string, MethodHandler<never, object>>;
}

/** Interfaces by name, in the order they were added. */
export class InterfaceRegistry {
  private readonly entries = new Map<string, RegisteredInterface>();

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
