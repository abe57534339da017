/**
 * A short line diff for `--check`: enough to show what is stale, not a patch to apply.
 */

/** Lines past which the table costs more than a hint is worth: show only the first change. */
const MAX_TABLE_CELLS = 4_000_000;

/**
 * Describes how `actual` (on disk) differs from `expected` (freshly generated), as `-`/`+` lines
 * with a little context, at most `maxLines` lines.
 */
export function shortDiff(actual: string, expected: string, maxLines = 12): string {
  const a = actual.split("\n");
  const b = expected.split("\n");
  const ops = a.length * b.length > MAX_TABLE_CELLS ? firstChange(a, b) : lineDiff(a, b);
  const out: string[] = [];
  let lastShown = -2;
  ops.forEach((op, index) => {
    if (op.kind === " ") return;
    const from = Math.max(index - 1, lastShown + 1);
    if (from > lastShown + 1 && out.length > 0) out.push("  ...");
    for (let i = from; i <= index; i++) {
      const shown = ops[i];
      if (shown !== undefined) out.push(`${shown.kind} ${shown.line}`);
    }
    lastShown = index;
  });
  if (out.length > maxLines) return [...out.slice(0, maxLines), `  ... (${out.length - maxLines} more lines)`].join("\n");
  return out.join("\n");
}

interface Op {
  kind: " " | "-" | "+";
  line: string;
}

/** Longest common subsequence of lines, walked back into keep/remove/add operations. */
function lineDiff(a: readonly string[], b: readonly string[]): Op[] {
  const width = b.length + 1;
  const table = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * width + j] =
        a[i] === b[j]
          ? (table[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(table[(i + 1) * width + j] ?? 0, table[i * width + j + 1] ?? 0);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: " ", line: a[i++] ?? "" });
      j++;
    } else if (j < b.length && (i >= a.length || (table[i * width + j + 1] ?? 0) >= (table[(i + 1) * width + j] ?? 0))) {
      ops.push({ kind: "+", line: b[j++] ?? "" });
    } else {
      ops.push({ kind: "-", line: a[i++] ?? "" });
    }
  }
  return ops;
}

function firstChange(a: readonly string[], b: readonly string[]): Op[] {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const ops: Op[] = a.slice(0, i).map((line) => ({ kind: " ", line }));
  if (i < a.length) ops.push({ kind: "-", line: a[i] ?? "" });
  if (i < b.length) ops.push({ kind: "+", line: b[i] ?? "" });
  return ops;
}
