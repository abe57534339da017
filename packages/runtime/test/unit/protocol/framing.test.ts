import { afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { ProtocolError } from "@varlink-ts/runtime";
import {
  decodeMessage,
  DEFAULT_MAX_MESSAGE_SIZE,
  encodeMessage,
  MessageReader,
} from "../../../src/protocol/framing.js";

/** Every whole message the reader can give after being fed `chunks`, as text. */
function readAll(reader: MessageReader, chunks: Buffer[]): string[] {
  const messages: string[] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    for (let message = reader.read(); message !== undefined; message = reader.read()) {
      messages.push(message);
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

  it("decodes a 10 MB message as its 64 KiB chunks arrive, never joining their bytes", () => {
    const size = 10 * 1024 * 1024;
    const body = Buffer.alloc(size, 0x61);
    body[0] = 0x22;
    body[size - 1] = 0x22;
    const concat = vi.spyOn(Buffer, "concat");
    const reader = new MessageReader();
    const chunkSize = 64 * 1024;
    const messages: string[] = [];
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
    expect(message === body.toString("latin1")).toBe(true);
    // Each chunk is decoded as it comes: no bytes are joined, neither chunks nor the message.
    expect(concat).not.toHaveBeenCalled();
    expect(reader.pendingBytes).toBe(0);
  });

  it("joins a character cut by every possible pair of chunk ends", () => {
    const text = '"a€😀b"';
    const bytes = Buffer.from(`${text}\0`);
    for (let first = 0; first <= bytes.length; first++) {
      for (let second = first; second <= bytes.length; second++) {
        const chunks = [bytes.subarray(0, first), bytes.subarray(first, second), bytes.subarray(second)];
        expect(readAll(new MessageReader(), chunks)).toEqual([text]);
      }
    }
  });

  it.each([
    ["a character cut short by the NUL", [Buffer.from([0x22, 0xe2, 0x82]), Buffer.from([0])]],
    ["a lead byte followed by ASCII in the next chunk", [Buffer.from([0x22, 0xe2]), Buffer.from([0x41, 0x41, 0])]],
    ["a stray continuation byte at a chunk's start", [Buffer.from([0x22]), Buffer.from([0x82, 0x22, 0])]],
    ["bytes that begin no character", [Buffer.from([0x22, 0xff]), Buffer.from([0x22, 0])]],
  ])("rejects %s as not UTF-8", (_name, chunks) => {
    expect(() => readAll(new MessageReader(), chunks)).toThrow(/not valid UTF-8/);
  });

  it("rejects invalid UTF-8 in a large message still arriving, before its NUL", () => {
    const reader = new MessageReader();
    reader.push(Buffer.from([0x7b, 0x22, 0xc3, 0x28]));
    reader.push(Buffer.alloc(100 * 1024, 0x20));
    expect(() => reader.read()).toThrow(ProtocolError);
  });

  it("holds a character cut between two large chunks until its last byte comes", () => {
    const euro = Buffer.from("€");
    const half = Buffer.alloc(100 * 1024, 0x61);
    const chunks = [Buffer.concat([Buffer.from('"'), half, euro.subarray(0, 1)]), euro.subarray(1, 2), Buffer.concat([euro.subarray(2), half, Buffer.from('"\0')])];
    const [message] = readAll(new MessageReader(), chunks);
    expect(message).toBe(`"${half.toString()}€${half.toString()}"`);
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

  it("hands over a partly read message with takeRest, a cut character included", () => {
    const reader = new MessageReader();
    const euro = Buffer.from("€");
    reader.push(Buffer.concat([Buffer.from("abc"), euro.subarray(0, 2)]));
    expect(reader.read()).toBeUndefined();
    expect(reader.pendingBytes).toBe(5);
    reader.push(Buffer.concat([euro.subarray(2), Buffer.from("def")]));
    expect(reader.takeRest().toString()).toBe("abc€def");
    expect(reader.pendingBytes).toBe(0);
  });
});

describe("decodeMessage", () => {
  it("parses a JSON object", () => {
    expect(decodeMessage(Buffer.from('{"a":[1,{"b":null}]}'))).toEqual({ a: [1, { b: null }] });
  });

  it.each([
    ['{"h":[],"\\\\":0}', '{"h":1,"\\n":2}', "\n"],
    ['{"h":[],"\\\\":0}', '{"h":1,"\\u000a":2}', "\n"],
    ['{"k":0,"\\\\":0}', '{"k":1,"\\"":2}', '"'],
  ])("reads escaped keys as written, even after %s, which makes Node 24's JSON.parse misread those of %s", (poison, map, key) => {
    // In the same process, before: what a peer, or anything else in the program, may have parsed.
    JSON.parse(poison);
    const message = decodeMessage(`{"method":"org.example.maps.Set","parameters":{"map":${map}}}`);
    expect(Object.keys((message.parameters as { map: object }).map)).toEqual([map.slice(2, 3), key]);
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
