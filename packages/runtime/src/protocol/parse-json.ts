/**
 * `JSON.parse`, except where it would not give what the text says.
 *
 * - Integers beyond ±(2^53 − 1) lose digits in `JSON.parse`: a text that may hold one goes to
 *   {@link parseJsonExact}, which keeps their source text (see exact-json.ts).
 * - Some V8 versions (Node 24 up to at least 24.21, and Node 26 by reports; not Node 20 or 22)
 *   can decode an escaped object key as another key once that one has been parsed at the same
 *   place in an object of the same shape: after `{"h":0,"\\":0}`, the key of `{"h":0,"\n":0}`
 *   comes back as `\` (https://github.com/nodejs/node/issues/63785). A varlink map (`[string]T`)
 *   can carry such keys from any peer, and a message must never change on the way in. Where this
 *   engine does it, a text with a backslash anywhere goes to {@link parseJsonExact}, which
 *   decodes every key itself.
 */
import { mayHoldBigIntegers, parseJsonExact } from "./exact-json.js";

/**
 * Whether this engine's `JSON.parse` misreads escaped keys. The probe's own key names keep what
 * it leaves in the engine's cache away from any real message.
 */
export const JSON_PARSE_MISREADS_ESCAPED_KEYS: boolean = (() => {
  JSON.parse('{"varlink-ts escaped-key probe":0,"\\\\":0}');
  const keys = Object.keys(JSON.parse('{"varlink-ts escaped-key probe":0,"\\n":0}') as object);
  return keys[1] !== "\n";
})();

/**
 * Parses JSON text as `JSON.parse` does (without a reviver), exactly: big integers keep their
 * source text (see `exactInteger`) and escaped keys are never misread.
 * @throws SyntaxError when `text` is not JSON.
 */
export function parseJson(text: string): unknown {
  const exact = mayHoldBigIntegers(text) || (JSON_PARSE_MISREADS_ESCAPED_KEYS && text.includes("\\"));
  return exact ? parseJsonExact(text) : JSON.parse(text);
}
