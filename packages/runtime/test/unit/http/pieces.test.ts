/**
 * The two pieces of the bridge with rules of their own, tested directly: cutting a member's text
 * out of a reply exactly as written, and following calls to see an upgrade confirmed.
 */
import { describe, expect, it } from "vitest";
import { CallTracker, type CallFlags, type ReplyFlags } from "../../../src/http/call-tracker.js";
import { memberText, memberTexts } from "../../../src/http/json-members.js";

describe("memberText", () => {
  it("reads several members in one pass, and ends on text that is not JSON", () => {
    const members = memberTexts('{"more":true,"method":"a.B","parameters":{"more":false},"upgrade" : false}', new Set(["more", "upgrade", "oneway"]));
    expect(Object.fromEntries(members)).toEqual({ more: "true", upgrade: "false" });
    for (const text of ["", "not json", "[1]", '{"a"', '{"a":', '{"a":[1,', '{"a":"x', "{,,,}", '{"a":1 "b":2}', '{"\\u12":1}']) {
      let result: unknown;
      try {
        result = memberTexts(text, new Set(["a"]));
      } catch (error) {
        result = error;
      }
      expect(result instanceof SyntaxError || result instanceof Map, text).toBe(true);
    }
  });

  it.each([
    ['{"parameters":{"a":1}}', '{"a":1}'],
    ['{ "continues" : true , "parameters" : { "a" : [ 1 , "}" ] } }', '{ "a" : [ 1 , "}" ] }'],
    ['{"error":"x.Y","parameters":{"n":9223372036854775807,"f":1.0,"e":1e400}}', '{"n":9223372036854775807,"f":1.0,"e":1e400}'],
    ['{"x":"\\"parameters\\":1","parameters":{"s":"a\\\\"}}', '{"s":"a\\\\"}'],
    ['{"param\\u0065ters":{"escaped":"key"}}', '{"escaped":"key"}'],
    ['{"parameters":{"first":1},"parameters":{"last":2}}', '{"last":2}'],
    ['{"parameters":null}', "null"],
    ['{"continues":false}', undefined],
    ["{}", undefined],
  ])("finds the parameters of %s", (json, expected) => {
    JSON.parse(json);
    expect(memberText(json, "parameters")).toBe(expected);
  });
});

/** A call's flags: a plain call unless said otherwise. */
function call(flags: Partial<CallFlags> = {}): CallFlags {
  return { oneway: false, more: false, upgrade: false, ...flags };
}

/** A reply's flags: a final success unless said otherwise. */
function reply(flags: Partial<ReplyFlags> = {}): ReplyFlags {
  return { error: false, continues: false, ...flags };
}

describe("CallTracker", () => {
  it("confirms an upgrade by its reply, after the replies owed to earlier calls", () => {
    const tracker = new CallTracker();
    expect(tracker.call(call({ oneway: true }))).toBe("varlink");
    tracker.call(call({ more: true }));
    tracker.call(call({ upgrade: true }));
    expect(tracker.upgradePending).toBe(true);
    expect(tracker.reply(reply({ continues: true }))).toBe("varlink");
    expect(tracker.reply(reply())).toBe("varlink");
    expect(tracker.upgradePending).toBe(true);
    expect(tracker.reply(reply())).toBe("upgraded");
    expect(tracker.upgradePending).toBe(false);
  });

  it("stays varlink when the upgrade is answered with an error", () => {
    const tracker = new CallTracker();
    tracker.call(call({ upgrade: true }));
    expect(tracker.reply(reply({ error: true }))).toBe("varlink");
    expect(tracker.upgradePending).toBe(false);
    tracker.call(call());
    expect(tracker.reply(reply())).toBe("varlink");
  });

  it("ends a more call at an error or at a reply without continues", () => {
    const tracker = new CallTracker();
    tracker.call(call({ more: true }));
    tracker.call(call());
    expect(tracker.reply(reply({ continues: true }))).toBe("varlink");
    expect(tracker.reply(reply({ error: true, continues: true }))).toBe("varlink");
    expect(tracker.reply(reply())).toBe("varlink");
    expect(tracker.reply(reply())).toBe("unexpected");
  });

  it("gives up on telling messages apart after a oneway upgrade, which no reply confirms", () => {
    expect(new CallTracker().call(call({ upgrade: true, oneway: true }))).toBe("raw");
  });

  it("follows many calls", () => {
    const tracker = new CallTracker();
    for (let i = 0; i < 5000; i++) tracker.call(call());
    for (let i = 0; i < 5000; i++) expect(tracker.reply(reply())).toBe("varlink");
    expect(tracker.reply(reply())).toBe("unexpected");
  });
});
