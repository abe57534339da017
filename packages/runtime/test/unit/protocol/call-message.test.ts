import { describe, expect, it } from "vitest";
import { ProtocolError } from "@varlink-ts/runtime";
import { buildCallMessage, parseReply } from "../../../src/protocol/call-message.js";

describe("buildCallMessage", () => {
  it("sets only the flag of the call's mode and always carries parameters", () => {
    expect(buildCallMessage("a.b.C", undefined, "call")).toEqual({ method: "a.b.C", parameters: {} });
    expect(buildCallMessage("a.b.C", { x: 1 }, "more")).toEqual({
      method: "a.b.C",
      parameters: { x: 1 },
      more: true,
    });
    expect(JSON.stringify(buildCallMessage("a.b.C", null, "oneway"))).toBe(
      '{"method":"a.b.C","parameters":{},"oneway":true}',
    );
    expect(JSON.stringify(buildCallMessage("a.b.C", {}, "upgrade"))).toBe(
      '{"method":"a.b.C","parameters":{},"upgrade":true}',
    );
  });

  it.each(["", "Ping", ".Ping", "org.example."])("rejects the method name %j", (method) => {
    expect(() => buildCallMessage(method, {}, "call")).toThrow(TypeError);
  });

  it("rejects parameters that are not an object", () => {
    expect(() => buildCallMessage("a.b.C", [] as unknown as object, "call")).toThrow(TypeError);
    expect(() => buildCallMessage("a.b.C", "x" as unknown as object, "call")).toThrow(TypeError);
  });
});

describe("parseReply", () => {
  it("fills in absent parameters and continues", () => {
    expect(parseReply({})).toEqual({ parameters: {}, continues: false, error: undefined });
    expect(parseReply({ parameters: null, continues: false })).toEqual({
      parameters: {},
      continues: false,
      error: undefined,
    });
    expect(parseReply({ parameters: { a: 1 }, continues: true, "org.example.ext": 1 })).toEqual({
      parameters: { a: 1 },
      continues: true,
      error: undefined,
    });
    expect(parseReply({ error: "a.b.E", parameters: { why: "x" } })).toEqual({
      parameters: { why: "x" },
      continues: false,
      error: "a.b.E",
    });
  });

  it.each([
    [{ parameters: [] }],
    [{ parameters: "x" }],
    [{ continues: "yes" }],
    [{ error: 1 }],
    [{ error: "" }],
  ])("rejects the malformed reply %j", (reply) => {
    expect(() => parseReply(reply)).toThrow(ProtocolError);
  });
});
