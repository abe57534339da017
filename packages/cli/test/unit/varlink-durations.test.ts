/**
 * `--timeout` values as systemd's tools write them, parsed into milliseconds.
 */
import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { FOREVER, parseTimeout } from "../../src/varlink/durations.js";

describe("parseTimeout", () => {
  it.each([
    ["5", 5000],
    ["0.2", 200],
    [".5", 500],
    ["1.5s", 1500],
    ["500ms", 500],
    ["2min", 120_000],
    ["1h 30min", 5_400_000],
    ["1min30s", 90_000],
    ["2 sec", 2000],
    ["1d", 86_400_000],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseTimeout(text)).toBe(ms);
  });

  it.each(["", "  ", "infinity"])("reads %j as no limit", (text) => {
    expect(parseTimeout(text)).toBe(FOREVER);
  });

  it("takes spans too long for a timer (over 24.8 days) as no limit, not as an instant one", () => {
    expect(parseTimeout("4w")).toBe(FOREVER);
    expect(parseTimeout("1y")).toBe(FOREVER);
  });

  it.each(["soon", "5 parsecs", "-1", "1e3", "5s later"])("refuses %j", (text) => {
    expect(() => parseTimeout(text)).toThrow(InvalidArgumentError);
    expect(() => parseTimeout(text)).toThrow(`"${text}" is not a time span`);
  });

  it("refuses zero, which would give up at once", () => {
    expect(() => parseTimeout("0")).toThrow("a timeout cannot be zero");
    expect(() => parseTimeout("0ms")).toThrow("a timeout cannot be zero");
  });
});
