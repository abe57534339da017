/**
 * Interface descriptors: one typed value per varlink interface, from which clients, handler
 * registration and mocks are typed. Generated modules define one with {@link defineInterface};
 * the dynamic client builds one at run time from a service's own description.
 */
import type { VarlinkErrorClass } from "../errors.js";
import { parseInterface } from "../idl/parser.js";
import type { MethodMode } from "../idl/call-modes.js";
import type { InterfaceDefinition } from "../idl/model.js";
import type { JsonObject } from "../types.js";

/**
 * One method of an interface. `P` and `R` are its parameters and result, `M` the call modes it
 * accepts; they exist only in types.
 */
export interface MethodDescriptor<
  P extends object = JsonObject,
  R extends object = JsonObject,
  M extends MethodMode = MethodMode,
> {
  /** The method's varlink name, e.g. `Ping`. */
  readonly name: string;
  /** Types only: never set at run time. */
  readonly types?: { readonly parameters: P; readonly result: R; readonly mode: M };
}

/** The methods of an interface by the names clients and handlers use (`ping`). */
export type MethodDescriptors = { readonly [member: string]: MethodDescriptor<object, object> };

/** What {@link defineInterface} takes. */
export interface InterfaceSpec<M extends MethodDescriptors> {
  /** The interface name, e.g. `org.example.more`. */
  readonly name: string;
  /** The interface's IDL text, exactly: what `GetInterfaceDescription` answers. */
  readonly description: string;
  /** The methods, by member name. */
  readonly methods: M;
  /** The classes of the errors the interface declares. */
  readonly errors?: readonly VarlinkErrorClass[];
  /**
   * The `int` fields that are `bigint`s rather than numbers, losslessly, as selectors relative
   * to the interface: `"Type.field"`, `"Method.field"` (the field of that name in the method's
   * parameters and in its result), `"Error.field"`, or deeper through anonymous structs
   * (`"Type.field.inner"`); an `int` anywhere inside a selected field (in an array, a map, a
   * nullable) is one. `true` selects every `int` of the interface.
   */
  readonly bigint?: true | readonly string[];
}

/** A varlink interface: its name, IDL text, methods and error classes. */
export interface InterfaceDescriptor<M extends MethodDescriptors = MethodDescriptors>
  extends Required<Omit<InterfaceSpec<M>, "bigint">> {
  /** The `bigint` fields' selectors; none when absent. */
  readonly bigint?: true | readonly string[] | undefined;
  /** The IDL text parsed, on first use. */
  readonly definition: InterfaceDefinition;
}

/** The type of a method descriptor's parameters. */
export type ParametersOf<D> = D extends MethodDescriptor<infer P, object, MethodMode> ? P : never;
/** The type of a method descriptor's result. */
export type ResultOf<D> = D extends MethodDescriptor<object, infer R, MethodMode> ? R : never;
/** The call modes a method descriptor accepts. */
export type ModeOf<D> = D extends MethodDescriptor<object, object, infer M> ? M : never;

/**
 * Describes one method: its varlink name, and in its type arguments its parameters, its result
 * and the modes it accepts (`"any"` unless systemd's markers say otherwise).
 */
export function method<P extends object, R extends object, M extends MethodMode = "any">(
  name: string,
): MethodDescriptor<P, R, M> {
  return { name };
}

/**
 * Defines an interface descriptor. Its `definition` is parsed from `description` the first time
 * something asks for it (registering handlers, checking parameters), not at module load.
 */
export function defineInterface<M extends MethodDescriptors>(
  spec: InterfaceSpec<M>,
): InterfaceDescriptor<M> {
  let definition: InterfaceDefinition | undefined;
  return {
    name: spec.name,
    description: spec.description,
    methods: spec.methods,
    errors: spec.errors ?? [],
    bigint: spec.bigint,
    get definition(): InterfaceDefinition {
      definition ??= parseInterface(spec.description, { file: `${spec.name}.varlink` });
      return definition;
    },
  };
}
