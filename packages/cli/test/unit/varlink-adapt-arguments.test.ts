/**
 * The rewriting of varlinkctl habits before commander parses the command line: a verb's options
 * moved after the verb, a bare `-j` given the default format, and nothing else touched.
 */
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { adaptArguments } from "../../src/varlink/command-line.js";
import { jsonOption } from "../../src/varlink/output.js";

/** The shape of `varlink`: global options with values, verbs with their own. */
function program(): Command {
  const root = new Command("varlink").option("-b, --bridge <command>").version("1", "-V, --version");
  root.command("call").argument("<method>").option("-m, --more").option("-t, --timeout <time>").addOption(jsonOption(""));
  root.command("info").argument("[address]").addOption(jsonOption(""));
  root.command("validate").argument("<files...>");
  return root;
}

const adapt = (...argv: string[]): string[] => adaptArguments(program(), argv, "short");

describe("adaptArguments", () => {
  it("splits bundled flags so that a bare -j among them gets its format, as varlinkctl reads -mj", () => {
    expect(adapt("call", "-mj", "unix:/a", "i.f.M")).toEqual(["call", "-m", "--json=short", "unix:/a", "i.f.M"]);
    expect(adapt("-mj", "call", "unix:/a", "i.f.M")).toEqual(["call", "-m", "--json=short", "unix:/a", "i.f.M"]);
    // A flag that takes a value ends a bundle; unknown letters leave it whole for commander.
    expect(adapt("call", "-t5", "i.f.M")).toEqual(["call", "-t5", "i.f.M"]);
    expect(adapt("call", "-tm", "i.f.M")).toEqual(["call", "-tm", "i.f.M"]);
    expect(adapt("call", "-mz", "i.f.M")).toEqual(["call", "-mz", "i.f.M"]);
    expect(adapt("call", "--", "-mj")).toEqual(["call", "--", "-mj"]);
  });

  it("moves a verb's options after the verb, with their values", () => {
    expect(adapt("--more", "-t", "5", "call", "unix:/a", "i.f.M")).toEqual(["call", "--more", "-t", "5", "unix:/a", "i.f.M"]);
  });

  it("leaves the program's options, and their values, before the verb", () => {
    expect(adapt("-b", "-j", "--more", "call", "i.f.M")).toEqual(["-b", "-j", "call", "--more", "i.f.M"]);
    expect(adapt("--version")).toEqual(["--version"]);
    expect(adapt("--help", "call")).toEqual(["--help", "call"]);
  });

  it("gives a bare -j or --json the default format, and keeps an explicit one", () => {
    expect(adapt("info", "-j", "unix:/a")).toEqual(["info", "--json=short", "unix:/a"]);
    expect(adapt("info", "unix:/a", "--json")).toEqual(["info", "unix:/a", "--json=short"]);
    expect(adapt("info", "--json", "pretty", "unix:/a")).toEqual(["info", "--json", "pretty", "unix:/a"]);
    expect(adapt("-j", "off", "info", "unix:/a")).toEqual(["info", "-j", "off", "unix:/a"]);
    expect(adapt("-j", "info", "unix:/a")).toEqual(["info", "--json=short", "unix:/a"]);
  });

  it("does not read another option's value, or what follows --, as -j", () => {
    expect(adapt("call", "-t", "-j", "i.f.M")).toEqual(["call", "-t", "-j", "i.f.M"]);
    expect(adapt("call", "i.f.M", "--", "-j")).toEqual(["call", "i.f.M", "--", "-j"]);
  });

  it("leaves commands without a --json FORMAT, and command lines without a verb, alone", () => {
    expect(adapt("validate", "-j", "x.varlink")).toEqual(["validate", "-j", "x.varlink"]);
    expect(adapt("--more")).toEqual(["--more"]);
    expect(adapt()).toEqual([]);
  });
});
