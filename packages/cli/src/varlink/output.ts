/**
 * How replies are written to stdout: `--json=pretty` (indented, for people), `short` (one line per
 * reply, for `grep` and `jq`), `seq` (RFC 7464 JSON text sequences, for streaming parsers).
 */

/** The `--json` formats, in the order `--help` lists them. */
export const JSON_FORMATS = ["pretty", "short", "seq"] as const;

/** One of {@link JSON_FORMATS}. */
export type JsonFormat = (typeof JSON_FORMATS)[number];

/** RFC 7464's record separator, written before every JSON text of a sequence. */
const RECORD_SEPARATOR = "\u001e";

/** `pretty` for a terminal, `short` for pipes and files, where one line per reply is easier to process. */
export function defaultJsonFormat(stream: { readonly isTTY?: boolean }): JsonFormat {
  return stream.isTTY === true ? "pretty" : "short";
}

/** One value as written in `format`, ending with a newline. */
export function formatJson(value: unknown, format: JsonFormat): string {
  switch (format) {
    case "pretty":
      return `${JSON.stringify(value, null, 2)}\n`;
    case "short":
      return `${JSON.stringify(value)}\n`;
    case "seq":
      return `${RECORD_SEPARATOR}${JSON.stringify(value)}\n`;
  }
}
