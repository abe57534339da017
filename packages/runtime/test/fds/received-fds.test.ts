/**
 * Which message received descriptors belong to (fds/received.ts): the last message that begins
 * in the chunk they came with; none, and they are closed, when no message begins there.
 * Offsets are stream offsets; descriptors here are numbers no process has open.
 */
import { describe, expect, it } from "vitest";
import { ReceivedFds } from "../../src/fds/received.js";

const A = [9001];
const B = [9002];

describe("ReceivedFds", () => {
  it("gives a batch to the message its chunk begins", () => {
    const received = new ReceivedFds();
    received.add(A, 0, 10);
    expect(received.forMessage(0, 10)).toEqual(A);
    expect(received.refused).toBe(0);
  });

  it("gives a batch to the last message beginning in its chunk when earlier writes were joined in front", () => {
    const received = new ReceivedFds();
    // Messages at 0 and 10, read as one chunk: the descriptors came with the second write.
    received.add(A, 0, 25);
    expect(received.forMessage(0, 10)).toBeUndefined();
    expect(received.forMessage(10, 25)).toEqual(A);
  });

  it("refuses a batch whose chunk begins inside a message and begins none", () => {
    const received = new ReceivedFds();
    received.add(A, 5, 5);
    expect(received.forMessage(0, 10)).toBeUndefined();
    expect(received.refused).toBe(1);
    // Nothing is left for the next message.
    expect(received.forMessage(10, 20)).toBeUndefined();
  });

  it("gives a chunk that begins inside one message and begins the next to the next", () => {
    const received = new ReceivedFds();
    received.add(A, 5, 10);
    expect(received.forMessage(0, 10)).toBeUndefined();
    expect(received.forMessage(10, 30)).toEqual(A);
    expect(received.refused).toBe(0);
  });

  it("keeps batches apart, and a message whose chunk extends beyond it still takes its own", () => {
    const received = new ReceivedFds();
    received.add(A, 0, 4);
    received.add(B, 4, 100);
    // The first message spans both chunks: it takes the batch of the chunk it begins.
    expect(received.forMessage(0, 50)).toEqual(A);
    // The second batch's chunk began inside the first message, and the next begins in it.
    expect(received.forMessage(50, 120)).toEqual(B);
  });

  it("refuses what no message took when the connection ends", () => {
    const received = new ReceivedFds();
    received.add(A, 0, 10);
    received.closeAll();
    expect(received.forMessage(0, 10)).toBeUndefined();
  });
});
