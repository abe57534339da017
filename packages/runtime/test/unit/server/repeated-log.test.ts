import { afterEach, describe, expect, it, vi } from "vitest";
import { RepeatedLog } from "../../../src/server/repeated-log.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("RepeatedLog", () => {
  it("logs the first occurrence at once and counts the rest of its window in one line", () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = new RepeatedLog("refused", (line) => lines.push(line), 10_000);
    log.report();
    for (let i = 0; i < 500; i++) log.report();
    expect(lines).toEqual(["refused"]);
    vi.advanceTimersByTime(10_000);
    expect(lines).toEqual(["refused", "refused (500 more times since the last line)"]);
    // The count opened another window: an occurrence in it is counted, not logged.
    log.report();
    expect(lines).toHaveLength(2);
    vi.advanceTimersByTime(10_000);
    expect(lines.at(-1)).toBe("refused (1 more time since the last line)");
    // A quiet window ends it: the next occurrence is logged at once again.
    vi.advanceTimersByTime(10_000);
    log.report();
    expect(lines.at(-1)).toBe("refused");
    expect(lines).toHaveLength(4);
  });

  it("says what it still counts when flushed, and keeps no timer", () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = new RepeatedLog("refused", (line) => lines.push(line));
    log.report();
    log.report();
    log.report();
    log.flush();
    expect(lines).toEqual(["refused", "refused (2 more times since the last line)"]);
    expect(vi.getTimerCount()).toBe(0);
    log.flush();
    expect(lines).toHaveLength(2);
  });
});
