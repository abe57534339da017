/**
 * The bounds on a message's shape, exactly at and one past each, and what does not count toward
 * them: brackets, commas and colons inside strings, escaped quotes included.
 */
import { describe, expect, it } from "vitest";
import { ProtocolError } from "@varlink-ts/runtime";
import { decodeMessage, MAX_MESSAGE_DEPTH, MAX_MESSAGE_ELEMENTS } from "@varlink-ts/runtime/wire";

/** `{"a":` + arrays nested so that the whole message is `depth` levels deep. */
function nested(depth: number): string {
  return `{"a":${"[".repeat(depth - 1)}${"]".repeat(depth - 1)}}`;
}

/** A message with exactly `count` values and keys as the bound counts them. */
function wide(count: number): string {
  // `{`, `:` and `[` are three; each `,` one more.
  return `{"a":[${"0,".repeat(count - 3)}0]}`;
}

describe("message shape", () => {
  it("accepts nesting up to the limit and refuses one level more", () => {
    expect(decodeMessage(nested(MAX_MESSAGE_DEPTH))).toHaveProperty("a");
    expect(() => decodeMessage(nested(MAX_MESSAGE_DEPTH + 1))).toThrow(
      new ProtocolError(`message nests deeper than ${MAX_MESSAGE_DEPTH} levels`),
    );
  });

  it("accepts values and keys up to the limit and refuses one more", () => {
    expect((decodeMessage(wide(MAX_MESSAGE_ELEMENTS)) as { a: number[] }).a).toHaveLength(MAX_MESSAGE_ELEMENTS - 2);
    expect(() => decodeMessage(wide(MAX_MESSAGE_ELEMENTS + 1))).toThrow(
      new ProtocolError(`message has more than ${MAX_MESSAGE_ELEMENTS} values and keys`),
    );
  });

  it("counts object keys", () => {
    const keys = Array.from({ length: MAX_MESSAGE_ELEMENTS / 2 }, (_, index) => `"k${index}":0`).join(",");
    expect(() => decodeMessage(`{"a":{${keys}}}`)).toThrow(/more than 524288 values and keys/);
  });

  it("does not count what strings hold, escaped quotes included", () => {
    const tricky = `\\"[{,:${"[".repeat(MAX_MESSAGE_DEPTH * 2)}\\\\`;
    const message = `{"s":"${tricky}","t":"${"[{,:".repeat(MAX_MESSAGE_ELEMENTS)}"}`;
    expect(decodeMessage(message)).toEqual({ s: JSON.parse(`"${tricky}"`), t: "[{,:".repeat(MAX_MESSAGE_ELEMENTS) });
  });

  it("finds nesting after a string that ends in an escaped backslash", () => {
    const message = `{"s":"\\\\","a":${"[".repeat(MAX_MESSAGE_DEPTH)}${"]".repeat(MAX_MESSAGE_DEPTH)}}`;
    expect(() => decodeMessage(message)).toThrow(/nests deeper/);
  });

  it("leaves text that is not JSON to the parser", () => {
    expect(() => decodeMessage(`{"a":"${"x".repeat(2000)}`)).toThrow(new ProtocolError("message is not valid JSON"));
  });
});
