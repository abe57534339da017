/**
 * `--timeout` values as systemd's tools write them (`5`, `1.5s`, `500ms`, `2min`, `1h 30min`,
 * `infinity`), so that a varlinkctl command line works here unchanged, while a bare number stays
 * a number of seconds as `varlink call -t SECONDS` always took it.
 */
import { InvalidArgumentError } from "commander";

/** No limit: what `infinity`, an empty value and spans too long for a timer mean. */
export const FOREVER = Number.POSITIVE_INFINITY;

/**
 * The longest delay Node's timers keep (about 24.8 days); a longer one would fire at once, so a
 * span beyond it is taken as no limit, which is what a user asking for it means.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Milliseconds per unit, under every name systemd's parse_sec() accepts for it. */
const UNITS: ReadonlyMap<string, number> = new Map([
  ...names(0.001, "us", "usec", "µs", "μs"),
  ...names(1, "ms", "msec"),
  ...names(1000, "", "s", "sec", "second", "seconds"),
  ...names(60_000, "m", "min", "minute", "minutes"),
  ...names(3_600_000, "h", "hr", "hour", "hours"),
  ...names(86_400_000, "d", "day", "days"),
  ...names(604_800_000, "w", "week", "weeks"),
  ...names(2_629_800_000, "M", "month", "months"),
  ...names(31_557_600_000, "y", "year", "years"),
]);

function names(ms: number, ...aliases: string[]): [string, number][] {
  return aliases.map((alias) => [alias, ms]);
}

/** One `NUMBER[UNIT]` component, spaces allowed around it. */
const COMPONENT = /\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Zµμ]*)\s*/y;

/**
 * Parses a `--timeout` value into milliseconds, {@link FOREVER} for `infinity` or an empty value
 * (varlinkctl's `--timeout=`).
 *
 * @throws InvalidArgumentError (commander reports it, exit 2) for text that is no time span, and
 *   for zero, which would give up before anything could be answered.
 */
export function parseTimeout(value: string): number {
  const text = value.trim();
  if (text === "" || text === "infinity") return FOREVER;
  let total = 0;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < text.length) {
    const match = COMPONENT.exec(text);
    const unit = match === null ? undefined : UNITS.get(match[2] ?? "");
    if (match === null || unit === undefined) {
      throw new InvalidArgumentError(
        `"${value}" is not a time span: write seconds (5, 0.5), ` +
          `a number with a unit (500ms, 2min, 1h 30min) or "infinity"`,
      );
    }
    total += Number(match[1]) * unit;
  }
  if (total === 0) throw new InvalidArgumentError(`a timeout cannot be zero ("infinity" waits forever)`);
  return total > MAX_TIMER_MS ? FOREVER : total;
}
