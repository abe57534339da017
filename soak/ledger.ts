/**
 * The soak's book of calls: every call gets an id when it is issued and must end exactly once, in
 * its own reply or a typed error. The ledger counts how each ended and catches a call that ends
 * twice, ends with someone else's reply, ends with an untyped error, or never ends.
 */
import { ConnectionError, ProtocolError, VarlinkError } from "@varlink-ts/runtime";

/** How the calls ended, by kind. */
export interface LedgerCounts {
  readonly issued: number;
  /** Calls that got their complete, correct reply (or every reply of a stream). */
  readonly replies: number;
  /** Calls that failed with a typed error, by `ConnectionError` code or error class. */
  readonly typedErrors: Readonly<Record<string, number>>;
  /** Calls that failed with anything else. */
  readonly untyped: number;
  /** Calls that ended a second time. */
  readonly duplicated: number;
  /** Calls that got a reply that was not theirs (another id, a wrong payload, a gap in a stream). */
  readonly wrong: number;
  /** Calls that have not ended. */
  readonly pending: number;
}

/** The typed name of an error, or undefined for an untyped one. */
export function typedName(error: unknown): string | undefined {
  if (error instanceof ConnectionError) return `ConnectionError ${error.code}`;
  if (error instanceof ProtocolError) return "ProtocolError";
  if (error instanceof VarlinkError) return error.error;
  return undefined;
}

/** Issued calls and how they ended. */
export class Ledger {
  private nextId = 0;
  private readonly open = new Set<number>();
  private readonly ended = new Set<number>();
  private replies = 0;
  private untyped = 0;
  private duplicated = 0;
  private wrong = 0;
  private readonly typedErrors = new Map<string, number>();
  /** The first few untyped errors and wrong replies, for the report. */
  readonly samples: string[] = [];

  /** How many calls have been issued. */
  get issued(): number {
    return this.nextId;
  }

  /** How many issued calls have not ended yet. */
  get pending(): number {
    return this.open.size;
  }

  /** Registers a new call and returns its id. */
  issue(): number {
    const id = this.nextId++;
    this.open.add(id);
    return id;
  }

  /** The call got a reply; `right` says whether it was the reply it should have got. */
  replied(id: number, right: boolean, detail: string): void {
    if (!this.end(id)) return;
    if (right) {
      this.replies++;
    } else {
      this.wrong++;
      this.sample(`call ${id}: wrong reply: ${detail}`);
    }
  }

  /** The call failed with `error`. */
  failed(id: number, error: unknown): void {
    if (!this.end(id)) return;
    const name = typedName(error);
    if (name === undefined) {
      this.untyped++;
      this.sample(`call ${id}: untyped error: ${String(error)}`);
      return;
    }
    this.typedErrors.set(name, (this.typedErrors.get(name) ?? 0) + 1);
  }

  counts(): LedgerCounts {
    return {
      issued: this.nextId,
      replies: this.replies,
      typedErrors: Object.fromEntries([...this.typedErrors].sort(([a], [b]) => a.localeCompare(b))),
      untyped: this.untyped,
      duplicated: this.duplicated,
      wrong: this.wrong,
      pending: this.open.size,
    };
  }

  /** Moves a call from open to ended; false (and counted) when it had ended already. */
  private end(id: number): boolean {
    if (!this.open.delete(id)) {
      this.duplicated++;
      this.sample(`call ${id}: ended ${this.ended.has(id) ? "twice" : "without being issued"}`);
      return false;
    }
    this.ended.add(id);
    return true;
  }

  private sample(text: string): void {
    if (this.samples.length < 10) this.samples.push(text);
  }
}
