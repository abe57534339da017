/**
 * One memory budget for everything the runtime holds on behalf of peers: input not yet taken as
 * messages (a message whose NUL has not come, bytes read ahead of a call in progress), replies
 * queued for a client that does not read them, and replies of `more` calls that the consumer has
 * not taken yet.
 *
 * Per-connection limits (`maxMessageSize`, `maxQueuedOutput`) bound each peer, but not how many
 * peers use them at once: a few hundred connections each sending a message just under 16 MiB
 * without its NUL take a process with V8's default heap down. The budget is the missing total.
 * Each connection reports what it holds as that changes; when the sum passes the limit, the
 * connections holding the most are closed until it is back under, so a flood of large partial
 * messages costs its senders their connections while small, well-behaved ones keep working.
 */

/** Something that holds bytes for a peer and can be made to let them go. */
export interface BudgetHolder {
  /** The bytes held now, counted afresh. */
  heldBytes(): number;
  /** Closes the connection, saying why; after it the holder holds nothing. */
  evict(budget: MemoryBudget): void;
}

/**
 * A limit on the bytes that connections hold for their peers, shared by every service and client
 * connection given it. {@link processMemoryBudget} is the one they share by default.
 *
 * ```ts
 * const budget = new MemoryBudget(256 * 1024 * 1024);
 * const service = new VarlinkService(info, { memoryBudget: budget });
 * ```
 */
export class MemoryBudget {
  /** The bytes connections may hold in all. */
  readonly limit: number;
  private usedBytes = 0;
  private readonly accounts = new Set<BudgetAccount>();
  private reclaiming = false;
  private evictionCount = 0;

  /** @throws RangeError when `limit` is not a positive number. */
  constructor(limit: number) {
    if (!(limit > 0)) throw new RangeError(`a memory budget must be a positive number of bytes, not ${limit}`);
    this.limit = limit;
  }

  /** The bytes held now, as last reported by the connections. */
  get used(): number {
    return this.usedBytes;
  }

  /** How many connections the budget has closed so far. */
  get evictions(): number {
    return this.evictionCount;
  }

  /**
   * Opens the account of one connection.
   * @internal
   */
  open(holder: BudgetHolder): BudgetAccount {
    const account = new BudgetAccount(this, holder);
    this.accounts.add(account);
    return account;
  }

  /** @internal */
  change(_account: BudgetAccount, delta: number): void {
    this.usedBytes += delta;
    if (this.usedBytes > this.limit && !this.reclaiming) this.reclaim();
  }

  /** @internal */
  remove(account: BudgetAccount): void {
    this.accounts.delete(account);
  }

  /**
   * Counts every holder afresh (what they reported may be stale: output leaves without telling),
   * then closes the largest until the total is under the limit.
   */
  private reclaim(): void {
    this.reclaiming = true;
    try {
      let used = 0;
      for (const account of this.accounts) used += account.recount();
      this.usedBytes = used;
      while (this.usedBytes > this.limit) {
        let largest: BudgetAccount | undefined;
        for (const account of this.accounts) {
          if (largest === undefined || account.bytes > largest.bytes) largest = account;
        }
        if (largest === undefined || largest.bytes === 0) break;
        largest.close();
        this.evictionCount++;
        largest.holder.evict(this);
      }
    } finally {
      this.reclaiming = false;
    }
  }
}

/**
 * One connection's share of a {@link MemoryBudget}.
 * @internal
 */
export class BudgetAccount {
  /** What the connection last reported. */
  bytes = 0;
  private closed = false;

  constructor(
    private readonly budget: MemoryBudget,
    readonly holder: BudgetHolder,
  ) {}

  /** Reports what the connection holds now; may close it (see {@link BudgetHolder.evict}). */
  set(bytes: number): void {
    if (this.closed || bytes === this.bytes) return;
    const delta = bytes - this.bytes;
    this.bytes = bytes;
    this.budget.change(this, delta);
  }

  /** Reads the holder's bytes afresh. */
  recount(): number {
    this.bytes = this.holder.heldBytes();
    return this.bytes;
  }

  /** The connection is gone: what it held is free. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.budget.change(this, -this.bytes);
    this.bytes = 0;
    this.budget.remove(this);
  }
}

/**
 * The default limit: a quarter of V8's heap limit (1 GiB under Node's defaults on a 64-bit
 * machine with 16 GiB or more), or of the old space `--max-old-space-size` gives, when that is
 * less. Partial messages are held as strings in the heap, and parsing a message takes some more
 * beside it; the rest of the heap stays for the application. Where V8's statistics cannot be read
 * (a browser) it is {@link FALLBACK_MEMORY_LIMIT}.
 */
export function defaultMemoryLimit(): number {
  // Looked up rather than imported, so that the client stays free of `node:` modules in browsers.
  const v8 = globalThis.process?.getBuiltinModule?.("node:v8");
  if (v8 === undefined) return FALLBACK_MEMORY_LIMIT;
  return Math.floor(Math.min(v8.getHeapStatistics().heap_size_limit, OLD_SPACE_LIMIT) / 4);
}

/**
 * The old space that `--max-old-space-size=MIB` set when the process started (in NODE_OPTIONS or
 * on the command line, the last one counting), or Infinity. Read at load, before the program can
 * change NODE_OPTIONS for its children. V8's heap limit adds the young generation to it: 48 MiB in
 * Node 20 and 22, 192 MiB in Node 24, where a quarter of the sum let an attack fill the old space,
 * which is where messages of megabytes live, and abort the process. (Node 24's
 * `--max-old-space-size-percentage` is not read: Node does not report the old space's limit.)
 */
const OLD_SPACE_LIMIT: number = (() => {
  const options = globalThis.process?.env?.["NODE_OPTIONS"]?.split(/\s+/) ?? [];
  let limit = Number.POSITIVE_INFINITY;
  for (const flag of [...options, ...(globalThis.process?.execArgv ?? [])]) {
    // Node takes the value quoted in NODE_OPTIONS too, and `_` for `-` in V8's flags.
    const [name, value] = flag.replaceAll('"', "").split("=", 2);
    if (name?.replaceAll("_", "-") !== "--max-old-space-size" || value === undefined) continue;
    const mib = Number(value);
    if (Number.isFinite(mib) && mib > 0) limit = mib * 1024 * 1024;
  }
  return limit;
})();

/** The default limit where V8's heap limit is unknown: 256 MiB. */
const FALLBACK_MEMORY_LIMIT = 256 * 1024 * 1024;

let processBudget: MemoryBudget | undefined;

/**
 * The budget every service and connection of this copy of the runtime shares unless given its
 * own ({@link defaultMemoryLimit} bytes).
 */
export function processMemoryBudget(): MemoryBudget {
  processBudget ??= new MemoryBudget(defaultMemoryLimit());
  return processBudget;
}
