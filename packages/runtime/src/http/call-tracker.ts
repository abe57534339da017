/**
 * Following the calls on a tunneled connection, only as far as needed to see an `upgrade` being
 * confirmed: from then on the bytes are no longer varlink, and the relay must pass them on as
 * they come rather than cut them at NULs.
 *
 * Calls are answered in order: a oneway call gets no reply, a `more` call gets replies until one
 * without `continues`, any other call one reply. An `upgrade` call's reply confirms the upgrade
 * unless it is an error.
 */

/** What the tracker needs of a call. */
export interface CallFlags {
  readonly oneway: boolean;
  readonly more: boolean;
  readonly upgrade: boolean;
}

/** What the tracker needs of a reply. */
export interface ReplyFlags {
  /** Whether it is an error reply. */
  readonly error: boolean;
  readonly continues: boolean;
}

/** What a call waits for. */
type Expecting = "reply" | "more" | "upgrade";

/** What a reply means for the relay. */
export type ReplyOutcome =
  /** Pass it on; the connection stays varlink. */
  | "varlink"
  /** Pass it on; after it the connection is raw both ways. */
  | "upgraded"
  /** No call waits for a reply: the service broke the protocol. */
  | "unexpected";

/** The calls of one connection that wait for replies, in order. */
export class CallTracker {
  private readonly waiting: Expecting[] = [];
  /** Index of the oldest waiting call in `waiting` (shifting an array each reply is O(n)). */
  private head = 0;
  private upgradeUndecided = false;

  /**
   * An `upgrade` call was sent and its reply has not come: the client's later bytes may belong
   * to the new protocol, so they must not be read as calls until the reply says.
   */
  get upgradePending(): boolean {
    return this.upgradeUndecided;
  }

  /**
   * Notes a call from the client.
   * @returns "raw" for a oneway `upgrade` call: no reply will tell whether the service upgraded,
   *   so the relay can no longer tell messages apart and passes bytes through from then on.
   */
  call(flags: CallFlags): "varlink" | "raw" {
    if (flags.oneway) return flags.upgrade ? "raw" : "varlink";
    if (flags.upgrade) {
      this.upgradeUndecided = true;
      this.waiting.push("upgrade");
    } else {
      this.waiting.push(flags.more ? "more" : "reply");
    }
    return "varlink";
  }

  /** Notes a reply from the service. */
  reply(flags: ReplyFlags): ReplyOutcome {
    const call = this.waiting[this.head];
    if (call === undefined) return "unexpected";
    const failed = flags.error;
    // A reply that continues leaves its call waiting for more (whatever the call asked for).
    if (!failed && flags.continues) return "varlink";
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
    if (call !== "upgrade") return "varlink";
    this.upgradeUndecided = false;
    return failed ? "varlink" : "upgraded";
  }
}
