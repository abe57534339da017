/**
 * What may be sent for a value of a generated type. Generated types have one shape, the wire's:
 * what arrives. The runtime accepts more when a value is sent (client parameters, handler
 * replies, `context.reply()`), and {@link Input} says how much more.
 */
import type { JsonValue } from "../types.js";

/**
 * What may be sent for an `object` field: any object but an iterable one (an array, a `Set`, a
 * `Map`), so a value typed with an interface fits, as a JSON object does. (`object` alone would
 * also take an array, which is not a JSON object; the index signature of `any` is the one that
 * takes an interface's type and lets an object literal have any keys.)
 */
export type AnyObject = object & {
  // biome-ignore lint/suspicious/noExplicitAny: `unknown` here would refuse interfaces' types (see above).
  readonly [key: string]: any;
  readonly [Symbol.iterator]?: never;
};

/** What may be sent for an `any` value: any JSON value but `null`, as {@link Input} takes it. */
export type AnyInput = boolean | number | string | AnyObject | readonly (AnyInput | null)[];

/**
 * The values that may be sent for the received shape `T`, recursively:
 *
 * - an array → a readonly array of inputs;
 * - a JSON object (`JsonObject`, what an `object` field holds) → {@link AnyObject};
 * - a non-null JSON value (`NonNullable<JsonValue>`, what an `any` field holds) → {@link AnyInput};
 * - a map (`Record<string, V>`) → a readonly record or a `ReadonlyMap` of inputs, and a string
 *   set (`Record<string, Record<string, never>>`) also a `ReadonlySet<string>`; the runtime
 *   encodes both in their wire form;
 * - a struct → the same properties, each an input, and an optional one (a nullable field) also
 *   `undefined`, which the runtime leaves out;
 * - anything else (primitives, enums, `null`, empty structs, `object`, `any`) unchanged.
 */
export type Input<T> = 0 extends 1 & T
  ? T
  : Same<T, NonNullable<JsonValue>> extends true
    ? AnyInput
    : Same<T, JsonValue> extends true
      ? AnyInput | null
      : InputOf<T>;

/** {@link Input} of each member of a union. */
type InputOf<T> = T extends readonly (infer E)[]
  ? readonly Input<E>[]
  : T extends object
    ? [keyof T] extends [never]
      ? T
      : string extends keyof T
        ? InputRecord<T[string]>
        : true extends Widens<T>
          ? InputStruct<T>
          : T
    : T;

/**
 * A struct's input. Homomorphic in `T`, so every property keeps its `?` and its documentation;
 * an optional one also takes `undefined`. {@link InputOf} uses `T` itself where this would change
 * nothing, so that an editor shows the struct's name (`PingParameters`) rather than its fields.
 */
export type InputStruct<T> = {
  [K in keyof T]: {} extends Pick<T, K> ? Input<T[K]> | undefined : Input<T[K]>;
};

/** The input of a record whose values are `V`: a JSON object, an empty struct, a set or a map. */
type InputRecord<V> = [V] extends [never]
  ? Record<string, never>
  : Same<V, JsonValue> extends true
    ? AnyObject
    :
        | { readonly [key: string]: Input<V> }
        | ReadonlyMap<string, Input<V>>
        | (Same<V, Record<string, never>> extends true ? ReadonlySet<string> : never);

/**
 * `true` (perhaps with `false`) when {@link Input} takes more for the struct `T` than `T` does: an
 * optional property (which also takes `undefined`), or one whose own input is wider.
 */
type Widens<T> = {
  [K in keyof T]-?: {} extends Pick<T, K> ? true : WidensValue<T[K]>;
}[keyof T];

/** Whether {@link Input} takes more for each member of `T` than the member does. */
type WidensValue<T> = T extends readonly unknown[]
  ? true
  : T extends object
    ? [keyof T] extends [never]
      ? false
      : string extends keyof T
        ? [T[string]] extends [never]
          ? false
          : true
        : true extends Widens<T>
          ? true
          : false
    : false;

/** Whether `A` and `B` are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
