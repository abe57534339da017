/**
 * File descriptors travelling with a message, attached to the object that is its parameters:
 * `withFds(parameters, fds)` before a call or a reply is sent, `takeFds(parameters)` after one is
 * received. Objects rather than extra arguments, so that plain calls, `more` streams, typed
 * clients and handlers all carry them without another signature.
 */

const outgoing = new WeakMap<object, readonly number[]>();
const incoming = new WeakMap<object, number[]>();

/** Descriptors nobody took are closed when their message is garbage. */
const orphans = new FinalizationRegistry<number[]>((fds) => closeFds(fds));

/**
 * Marks `value` (a call's parameters, or a handler's reply) to be sent with `fds`, which it
 * references by index (`{ fd: 0 }` for the first). Ownership passes to the runtime: each is
 * closed once sent, or when sending fails. Needs a connection that passes descriptors (see
 * `connect`'s and `VarlinkService`'s `fds` option); elsewhere the call or reply fails.
 *
 * @returns `value` itself.
 * @throws TypeError when an fd is not a non-negative integer.
 */
export function withFds<T extends object>(value: T, fds: readonly number[]): T {
  for (const fd of fds) {
    if (!Number.isInteger(fd) || fd < 0) throw new TypeError(`not a file descriptor: ${String(fd)}`);
  }
  outgoing.set(value, [...fds]);
  return value;
}

/**
 * The descriptors that came with `value` (a reply's parameters, or the parameters a handler was
 * called with), in order, now the caller's to close; empty when none came. A second call
 * returns none. Descriptors a client never takes are closed when the reply is garbage collected;
 * those a handler does not take, when its call ends.
 */
export function takeFds(value: object): number[] {
  const fds = incoming.get(value);
  if (fds === undefined) return [];
  incoming.delete(value);
  orphans.unregister(value);
  return fds;
}

/** The descriptors `withFds` attached to `value`, taken off it. @internal */
export function outgoingFds(value: unknown): readonly number[] | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const fds = outgoing.get(value);
  if (fds !== undefined) outgoing.delete(value);
  return fds;
}

/** Attaches received descriptors to the message's parameters. @internal */
export function attachReceived(value: object, fds: number[]): void {
  incoming.set(value, fds);
  orphans.register(value, fds, value);
}

/** Closes what was attached to `value` and not taken (a handler's call has ended). @internal */
export function closeUntaken(value: object): void {
  closeFds(takeFds(value));
}

/**
 * `fs.closeSync`, looked up rather than imported: the client's connection uses this module, and
 * in a browser (where no descriptor ever arrives) it must not pull `node:fs` in.
 */
function closeSync(fd: number): void {
  globalThis.process?.getBuiltinModule?.("node:fs")?.closeSync(fd);
}

/** Closes descriptors, ignoring those already closed. @internal */
export function closeFds(fds: readonly number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      // Closed already by its owner.
    }
  }
}
