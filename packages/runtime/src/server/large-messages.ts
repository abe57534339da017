/**
 * One large message per turn of the event loop, across every connection of the process.
 *
 * Parsing a message takes time in proportion to its size (some 3 ms per MiB, more for dense
 * shapes). When many clients send large messages at once, the event loop would otherwise parse
 * every one that completed during the same poll before reaching a small call that arrived just
 * after them: 70 connections with 15 MiB echoes held a ping back for seconds. Small messages are
 * taken at once; a large one waits for its turn, so a small call waits for at most one large
 * message, and large ones share the process in the order they arrived.
 */

/** Messages of at least this many characters are large: a quarter of a MiB, about 1 ms of parsing. */
export const LARGE_MESSAGE = 256 * 1024;

let taken = false;

const endTurn = (): void => {
  taken = false;
};

/**
 * Takes this turn's share of large messages. False when another connection has it: the caller
 * waits for the next turn (`setImmediate`), where those waiting before it go first.
 */
export function takeLargeMessageTurn(): boolean {
  if (taken) return false;
  taken = true;
  // Scheduled now, it runs before the retries of connections that were refused this turn.
  setImmediate(endTurn);
  return true;
}
