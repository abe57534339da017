/**
 * Which message received descriptors belong to. The addon reports each batch with the stream
 * offset and length of the chunk it came with. UAPI.20: descriptors are sent with the first byte
 * of their message, and a chunk that does not begin a message must not bring any. Linux may
 * join bytes of earlier writes (without descriptors) in front of the write that carries them,
 * and stops reading right after it; so a batch belongs to the last message that begins in its
 * chunk, and is refused (closed) when no message begins there.
 */
import { closeFds } from "./attached.js";

interface Batch {
  readonly start: number;
  readonly end: number;
  readonly fds: number[];
}

export class ReceivedFds {
  private batches: Batch[] = [];
  /** Descriptors refused so far, for logs and tests. */
  refused = 0;

  /** A batch arrived with the chunk at `offset` (`length` bytes). */
  add(fds: number[], offset: number, length: number): void {
    this.batches.push({ start: offset, end: offset + length, fds });
  }

  /**
   * The descriptors of the message that starts at `start` and ends before `next` (where the one
   * after it starts), or undefined. Batches it passes without a message beginning in their chunk
   * are refused.
   */
  forMessage(start: number, next: number): number[] | undefined {
    let taken: number[] | undefined;
    while (this.batches.length > 0) {
      const batch = this.batches[0]!;
      if (batch.start > start) {
        // The chunk began inside this message; refused unless the next message begins in it.
        if (batch.start < next && next >= batch.end) {
          this.refuse(batch);
          continue;
        }
        break;
      }
      if (batch.end <= start) {
        // Left behind by earlier messages: no message began in its chunk.
        this.refuse(batch);
        continue;
      }
      // This message begins in the chunk; it is the last one there unless the next does too.
      if (next < batch.end) break;
      this.batches.shift();
      taken = taken === undefined ? batch.fds : [...taken, ...batch.fds];
    }
    return taken;
  }

  /** The connection ended: nothing will take the rest. */
  closeAll(): void {
    for (const batch of this.batches) closeFds(batch.fds);
    this.batches = [];
  }

  private refuse(batch: Batch): void {
    this.batches.shift();
    this.refused += batch.fds.length;
    closeFds(batch.fds);
  }
}
