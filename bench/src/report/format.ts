/** Number formatting shared by the tables and the chart. */

/** 12,345 or 1.23 M; "n/a" for nothing. */
export function count(n: number | undefined): string {
  if (n === undefined) return "n/a";
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  return Math.round(n).toLocaleString("en-US");
}

/** 1.23×; "n/a" for nothing. */
export function times(n: number | undefined, digits = 2): string {
  return n === undefined ? "n/a" : `${n.toFixed(digits)}×`;
}

/** 123 ms or 1.23 s. */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined) return "n/a";
  return seconds < 1 ? `${(seconds * 1000).toFixed(0)} ms` : `${seconds.toFixed(2)} s`;
}
