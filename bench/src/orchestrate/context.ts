/** What every part of a run shares: the peers available, scratch space, and the progress log. */
import type { Peer, PeerId } from "./peers.js";

export interface RunContext {
  readonly peers: ReadonlyMap<PeerId, Peer>;
  /** A fresh directory for sockets and generated files, removed after the run. */
  readonly scratch: string;
  /** Progress, on stderr. */
  readonly log: (line: string) => void;
}

/** A peer that must be there: pairs whose peers are missing are filtered out before a run. */
export function peer(context: RunContext, id: PeerId): Peer {
  const found = context.peers.get(id);
  if (found === undefined) throw new Error(`peer ${id} is not available`);
  return found;
}
