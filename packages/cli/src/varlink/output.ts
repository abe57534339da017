/**
 * How replies are written to stdout: `--json=pretty` (indented, for people), `short` (one line per
 * reply, for `grep` and `jq`), `seq` (RFC 7464 JSON text sequences, for streaming parsers), and
 * varlinkctl's `off` (no JSON: the command's own text, or `call`'s default).
 */
import { Option } from "commander";

/** The formats JSON is printed in, in the order `--help` lists them. */
export const JSON_FORMATS = ["pretty", "short", "seq"] as const;

/** One of {@link JSON_FORMATS}. */
export type JsonFormat = (typeof JSON_FORMATS)[number];

/** What `--json` accepts: a format, or varlinkctl's `off`. */
export const JSON_CHOICES = [...JSON_FORMATS, "off"] as const;

/** How `--help` describes the formats, after what the command prints in them. */
export const JSON_FORMATS_HELP = "pretty, short, seq (-j alone: pretty on a terminal, short otherwise)";

/** One of {@link JSON_CHOICES}. */
export type JsonChoice = (typeof JSON_CHOICES)[number];

/** RFC 7464's record separator, written before every JSON text of a sequence. */
const RECORD_SEPARATOR = "\u001e";

/** `pretty` for a terminal, `short` for pipes and files, where one line per reply is easier to process. */
export function defaultJsonFormat(stream: { readonly isTTY?: boolean }): JsonFormat {
  return stream.isTTY === true ? "pretty" : "short";
}

/**
 * The `-j, --json FORMAT` option. A bare `-j` (varlinkctl's form, without a value) is turned into
 * `--json=` and {@link defaultJsonFormat} before commander sees it: see command-line.ts.
 */
export function jsonOption(description: string): Option {
  return new Option("-j, --json <format>", description).choices(JSON_CHOICES);
}

/** The format `--json` asked for, or undefined when it asked for none (absent or `off`). */
export function chosenFormat(choice: JsonChoice | undefined): JsonFormat | undefined {
  return choice === undefined || choice === "off" ? undefined : choice;
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
