/**
 * Client ids and where each client stands in the sequence. A client id belongs to the whole
 * service, not to a connection, as in the reference servers: a client may reconnect mid-run.
 */
import { randomUUID } from "node:crypto";
import type { Step } from "./sequence.js";

/** One client's run. */
export interface Session {
  readonly id: string;
  /** When Start handed out the id, in milliseconds of the store's clock. */
  readonly startedAt: number;
  /** The method the client must call next. */
  next: Step;
  /** Set by the first wrong call; End then answers `all_ok: false`. */
  failed: boolean;
}

/** Bounds on the ids the store keeps. */
export interface SessionLimits {
  /** Milliseconds after Start when an id stops being valid. */
  readonly lifetime: number;
  /** Ids kept at most; Start forgets the oldest beyond this many. */
  readonly maxClients: number;
  /** The clock, replaceable in tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** The defaults: a run takes well under a second, so a minute is generous. */
export const DEFAULT_LIMITS: SessionLimits = { lifetime: 60_000, maxClients: 1000 };

/**
 * The live client ids. A client that never calls End cannot make the server grow without bound:
 * its id expires after `lifetime`, and the oldest ids are dropped beyond `maxClients`.
 */
export class Sessions {
  /** In creation order, so the oldest and the first to expire come first. */
  private readonly sessions = new Map<string, Session>();
  private readonly now: () => number;

  constructor(private readonly limits: SessionLimits = DEFAULT_LIMITS) {
    this.now = limits.now ?? Date.now;
  }

  /** Hands out a new client id, positioned after Start. */
  start(): Session {
    this.dropExpired();
    for (const oldest of this.sessions.keys()) {
      if (this.sessions.size < this.limits.maxClients) break;
      this.sessions.delete(oldest);
    }
    const session: Session = { id: randomUUID(), startedAt: this.now(), next: "Test01", failed: false };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The client's run, or undefined for an id that was never handed out, ended or expired. */
  get(id: string): Session | undefined {
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    if (this.expired(session)) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** Forgets the id (after End). */
  end(id: string): void {
    this.sessions.delete(id);
  }

  /** How many ids are live, expired ones included until the next Start sweeps them. */
  get size(): number {
    return this.sessions.size;
  }

  private expired(session: Session): boolean {
    return this.now() - session.startedAt >= this.limits.lifetime;
  }

  private dropExpired(): void {
    for (const session of this.sessions.values()) {
      if (!this.expired(session)) return;
      this.sessions.delete(session.id);
    }
  }
}
