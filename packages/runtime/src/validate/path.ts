/**
 * How issue paths are spelled: dots for fields, brackets for elements and keys
 * (`struct.anon.foo`, `array[2]`, `map[key].field`).
 *
 * The checker builds a path only for the issue it reports, on the way back up from where the
 * issue was found, so checking a valid value allocates no path strings.
 */

/** `inner` (relative to field `name`) made relative to the struct holding the field. */
export function underField(name: string, inner: string): string {
  if (inner === "") return name;
  // Relative paths start with a field name or a bracket; field names never start with one.
  return inner.startsWith("[") ? `${name}${inner}` : `${name}.${inner}`;
}

/** `inner` (relative to element or entry `key`) made relative to the container. */
export function underElement(key: string | number, inner: string): string {
  if (inner === "") return `[${key}]`;
  return inner.startsWith("[") ? `[${key}]${inner}` : `[${key}].${inner}`;
}
