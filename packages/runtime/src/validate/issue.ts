/**
 * What value checking reports.
 */

/** The first thing wrong with a value, and where it is. */
export interface ValidationIssue {
  /**
   * Where the problem is: field names joined with dots, array indexes and map keys in brackets,
   * e.g. `struct.anon.foo`, `array[2]`, `dictionary[key]`. It is what
   * `org.varlink.service.InvalidParameter` carries as `parameter`.
   */
  readonly path: string;
  /** What is wrong, for logs and error messages. */
  readonly message: string;
}
