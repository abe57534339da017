import { afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { ProtocolError } from "@varlink-ts/runtime";
import {
  decodeMessage,
  DEFAULT_MAX_MESSAGE_SIZE,
  encodeMessage,
  MessageReader,
} from "../../src/protocol/framing.js";

/** Every whole message the reader can give after being fed `chunks`, as text. */
function readAll(reader: MessageReader, chunks: Buffer[]): string[] {
  const messages: string[] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    for (let message = reader.read(); message !== undefined; message = reader.read()) {
      messages.push(message.toString("utf8"));
    }
  }
  return messages;
}

const stream = Buffer.from(
  [
    encodeMessage({ method: "org.example.ping.Ping", parameters: { ping: "héllo ☃ 🎉" } }),
    encodeMessage({}),
    encodeMessage({ parameters: { text: "a\u0000b" } }),
    encodeMessage({ parameters: { n: [1, 2, 3] }, continues: true }),
  ].join(""),
);
const expected = [
  '{"method":"org.example.ping.Ping","parameters":{"ping":"héllo ☃ 🎉"}}',
  "{}",
  '{"parameters":{"text":"a\\u0000b"}}',
  '{"parameters":{"n":[1,2,3]},"continues":true}',
];

afterEach(() => {
  vi.restoreAllMocks();
});

describe("MessageReader", () => {
  it("reads many messages from one chunk", () => {
    expect(readAll(new MessageReader(), [stream])).toEqual(expected);
  });

  it("reads the same messages whatever byte the stream is split at", () => {
    for (let split = 0; split <= stream.length; split += 1) {
      const chunks = [stream.subarray(0, split), stream.subarray(split)];
      expect(readAll(new MessageReader(), chunks)).toEqual(expected);
    }
  });

  it("reads the same messages fed one byte at a time, including inside multi-byte characters", () => {
    const chunks = Array.from({ length: stream.length }, (_, index) => stream.subarray(index, index + 1));
    expect(readAll(new MessageReader(), chunks)).toEqual(expected);
  });

  it("reads the same messages under any chunking", () => {
    const message = fc.dictionary(fc.string(), fc.jsonValue());
    fc.assert(
      fc.property(fc.array(message, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (values, cuts) => {
        const bytes = Buffer.from(values.map((value) => encodeMessage(value)).join(""));
        const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let start = 0;
        for (const point of [...points, bytes.length]) {
          chunks.push(bytes.subarray(start, point));
          start = point;
        }
        const read = readAll(new MessageReader(), chunks).map((text) => JSON.parse(text) as unknown);
        expect(read).toEqual(values.map((value) => JSON.parse(JSON.stringify(value)) as unknown));
      }),
    );
  });

  it("reads a 10 MB message in 64 KiB chunks with a single copy", () => {
    const size = 10 * 1024 * 1024;
    const body = Buffer.alloc(size, 0x61);
    body[0] = 0x22;
    body[size - 1] = 0x22;
    const concat = vi.spyOn(Buffer, "concat");
    const reader = new MessageReader();
    const chunkSize = 64 * 1024;
    const messages: Buffer[] = [];
    for (let offset = 0; offset < size; offset += chunkSize) {
      reader.push(body.subarray(offset, offset + chunkSize));
      const message = reader.read();
      if (message !== undefined) messages.push(message);
    }
    expect(messages).toHaveLength(0);
    expect(reader.pendingBytes).toBe(size);
    reader.push(Buffer.from([0]));
    const message = reader.read();
    expect(message?.length).toBe(size);
    expect(message?.equals(body)).toBe(true);
    // One concatenation of all the pieces, not one per chunk: each byte is copied once.
    expect(concat).toHaveBeenCalledTimes(1);
    expect(concat.mock.calls[0]?.[1]).toBe(size);
    expect(reader.pendingBytes).toBe(0);
  });

  it("does not copy a message that arrives in one chunk", () => {
    const concat = vi.spyOn(Buffer, "concat");
    expect(readAll(new MessageReader(), [stream])).toEqual(expected);
    expect(concat).not.toHaveBeenCalled();
  });

  it("rejects a message larger than the limit before its NUL arrives", () => {
    const reader = new MessageReader(100);
    reader.push(Buffer.alloc(60, 0x20));
    expect(reader.read()).toBeUndefined();
    reader.push(Buffer.alloc(60, 0x20));
    expect(() => reader.read()).toThrow(ProtocolError);
  });

  it("rejects a message over 16 MiB by default, and accepts one of exactly 16 MiB", () => {
    expect(DEFAULT_MAX_MESSAGE_SIZE).toBe(16 * 1024 * 1024);
    const exact = new MessageReader();
    exact.push(Buffer.alloc(DEFAULT_MAX_MESSAGE_SIZE, 0x20));
    exact.push(Buffer.from([0]));
    expect(exact.read()?.length).toBe(DEFAULT_MAX_MESSAGE_SIZE);
    const over = new MessageReader();
    over.push(Buffer.concat([Buffer.alloc(DEFAULT_MAX_MESSAGE_SIZE + 1, 0x20), Buffer.from([0])]));
    expect(() => over.read()).toThrow(/exceeds the maximum size of 16777216 bytes/);
  });

  it("hands over the bytes after the last message read, leaving the rest unparsed", () => {
    const reader = new MessageReader();
    reader.push(Buffer.from('{"parameters":{}}\0RAW\0BYTES'));
    reader.push(Buffer.from(" AND MORE"));
    expect(reader.read()?.toString()).toBe('{"parameters":{}}');
    expect(reader.takeRest().toString()).toBe("RAW\0BYTES AND MORE");
    expect(reader.pendingBytes).toBe(0);
    expect(reader.read()).toBeUndefined();
    expect(reader.takeRest().length).toBe(0);
  });

  it("hands over a partly read message with takeRest", () => {
    const reader = new MessageReader();
    reader.push(Buffer.from("abc"));
    expect(reader.read()).toBeUndefined();
    reader.push(Buffer.from("def"));
    expect(reader.takeRest().toString()).toBe("abcdef");
  });
});

describe("decodeMessage", () => {
  it("parses a JSON object", () => {
    expect(decodeMessage(Buffer.from('{"a":[1,{"b":null}]}'))).toEqual({ a: [1, { b: null }] });
  });

  it.each([
    ["invalid UTF-8", Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), /UTF-8/],
    ["a lone surrogate's UTF-8 encoding", Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), /UTF-8/],
    ["invalid JSON", Buffer.from('{"a":'), /JSON/],
    ["an empty message", Buffer.alloc(0), /JSON/],
    ["an array", Buffer.from("[]"), /not a JSON object/],
    ["null", Buffer.from("null"), /not a JSON object/],
    ["a number", Buffer.from("42"), /not a JSON object/],
  ])("rejects %s with ProtocolError", (_name, bytes, message) => {
    expect(() => decodeMessage(bytes)).toThrow(ProtocolError);
    expect(() => decodeMessage(bytes)).toThrow(message);
  });
});

describe("encodeMessage", () => {
  it("writes compact JSON followed by one NUL", () => {
    expect(encodeMessage({ method: "a.b.C", parameters: {} })).toBe('{"method":"a.b.C","parameters":{}}\0');
  });
});
