/**
 * TSDoc text for generated declarations: IDL comments made safe to put inside `/** ... *\/`, and
 * the `@see` tag that points every generated symbol back at its line in the IDL.
 */
import type { Doc } from "@varlink-ts/runtime/idl";

/**
 * One IDL comment line made safe for a doc comment: `*\/` would end the comment early, and an
 * `@` that starts a word would be read as a tag, so both are escaped.
 */
export function escapeDocLine(line: string): string {
  return line
    .replace(/\*\//g, "*\\/")
    .replace(/(^|\s)@/g, "$1\\@")
    .replace(/\s+$/, "");
}

/** IDL doc lines as TSDoc lines (empty array when there is no comment). */
export function docLines(doc: Doc): string[] {
  return doc.map(escapeDocLine);
}

/** `@see org.example.more.varlink:12` */
export function seeTag(sourceName: string, line: number): string {
  return `@see ${sourceName}:${line}`;
}

/**
 * Joins paragraphs (each a list of lines; empty ones are dropped) with blank lines between them,
 * ready to be a ts-morph doc description.
 */
export function docText(...paragraphs: ReadonlyArray<readonly string[]>): string {
  return paragraphs
    .filter((paragraph) => paragraph.length > 0)
    .map((paragraph) => paragraph.join("\n"))
    .join("\n\n");
}

/** `text` (lines joined by `\n`) as a `/** ... *\/` block, for code written as text. */
export function docComment(text: string): string {
  return ["/**", ...text.split("\n").map((line) => (line.length > 0 ? ` * ${line}` : " *")), " */"].join(
    "\n",
  );
}

/** Width generated prose is wrapped at, leaving room for the comment's indentation. */
const PROSE_WIDTH = 90;

/** Generated prose (not IDL text, which stays as written) wrapped into lines. */
export function prose(text: string): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((part) => part.length > 0)) {
    if (line.length > 0 && line.length + 1 + word.length > PROSE_WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line.length > 0 ? `${line} ${word}` : word;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}
