/**
 * The service the memory and parsing attacks aim at (fixtures/attack-target.mjs, in its own
 * process with a small heap), the well-behaved client that keeps calling it while they run, and
 * the hostile connections themselves.
 */
import { connect as connectSocket, type Socket } from "node:net";
import { connect, type Connection } from "@varlink-ts/runtime";
import { expect } from "vitest";
import { type Child, eventually, type Sandbox } from "@varlink-ts/test-kit";

/** The target's old space: the default budget is a quarter of it. */
export const HEAP_MIB = 256;

export const A = "org.example.attack";

/** What the target reports of itself, after a full garbage collection. */
export interface TargetStats {
  rss: number;
  peakRss: number;
  heapUsed: number;
  budgetUsed: number;
  budgetLimit: number;
  evictions: number;
  connections: number;
  fds: number;
}

/** One hostile connection. */
export interface Attacker {
  readonly socket: Socket;
  firstWritten: boolean;
}

/** The target process, a connection that reads its stats, and the hostile sockets aimed at it. */
export class Target {
  private readonly attackers: Socket[] = [];

  private constructor(
    readonly child: Child,
    readonly path: string,
    private readonly control: Connection,
  ) {}

  static async start(sandbox: Sandbox, messageTimeout?: number): Promise<Target> {
    const path = await sandbox.socketPath();
    const args = messageTimeout === undefined ? [path] : [path, String(messageTimeout)];
    const child = await sandbox.node(new URL("fixtures/attack-target.mjs", import.meta.url), args, {
      nodeFlags: [`--max-old-space-size=${HEAP_MIB}`, "--expose-gc"],
    });
    const control = sandbox.track(await connect(`unix:${path}`));
    return new Target(child, path, control);
  }

  async stats(): Promise<TargetStats> {
    try {
      return await this.control.call<TargetStats>(`${A}.Stats`, {}, { timeout: 60_000 });
    } catch (error) {
      // Whether the target evicted its control connection or died (of its heap, say) is what to know.
      const { exitCode, signalCode } = this.child.process;
      const state = this.child.running ? "still running" : `exited (${exitCode ?? signalCode})`;
      const stderr = this.child.stderr().slice(-2000);
      const logs = this.logs().slice(-5).join(" | ");
      throw new Error(`the target's Stats call failed; the target is ${state}; its last logs: ${logs}; its stderr ends: ${stderr}`, {
        cause: error,
      });
    }
  }

  /** The service's log lines so far. */
  logs(): string[] {
    return this.child.lines().filter((line) => line.startsWith("log: ")).map((line) => line.slice(5));
  }

  /**
   * The service's log lines once there are at least `count` (or, after 10 s, those there are).
   * They come through the process's own pipe, which can lag behind what its sockets showed: a
   * connection it closed, a stats reply.
   */
  async logsOnceThere(count: number): Promise<string[]> {
    await eventually(() => this.logs().length >= count, 500);
    return this.logs();
  }

  /**
   * Opens `count` raw connections, each writing `first` and then, if given, `then`. Each socket's
   * `firstWritten` is set once the target has taken all of `first`.
   */
  attack(count: number, first: Buffer | string, then?: Buffer | string): Attacker[] {
    const attackers: Attacker[] = [];
    for (let index = 0; index < count; index++) {
      const socket = connectSocket(this.path);
      const attacker: Attacker = { socket, firstWritten: false };
      // Resets and broken pipes are what closing an attacker looks like.
      socket.on("error", () => undefined);
      socket.write(first, () => (attacker.firstWritten = true));
      if (then !== undefined) socket.write(then);
      attackers.push(attacker);
    }
    this.attackers.push(...attackers.map((attacker) => attacker.socket));
    return attackers;
  }

  /**
   * Waits until the attack has done all it can: every attacker was closed by the target or had
   * all it sent taken (`upTo: "all"`), or at least its first write (`"first"`: the target stops
   * reading a client that does not take its replies). False if that has not happened in a minute.
   */
  attackSpent(attackers: readonly Attacker[], upTo: "all" | "first" = "all"): Promise<boolean> {
    return eventually(
      () =>
        attackers.every(
          ({ socket, firstWritten }) =>
            socket.destroyed || (upTo === "first" ? firstWritten : socket.writableLength === 0),
        ),
      3000,
    );
  }

  /** Destroys every attacker and waits until the target holds only the control connection. */
  async endAttack(): Promise<TargetStats> {
    for (const socket of this.attackers.splice(0)) socket.destroy();
    let stats = await this.stats();
    for (let tries = 0; tries < 250 && stats.connections > 1; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      stats = await this.stats();
    }
    return stats;
  }
}

/** A client that keeps calling Ping on its own connection and records every failure. */
export class Pinger {
  answered = 0;
  readonly failures: string[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(private readonly connection: Connection) {
    this.loop = this.run();
  }

  static async start(sandbox: Sandbox, target: Target): Promise<Pinger> {
    return new Pinger(sandbox.track(await connect(`unix:${target.path}`)));
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        // The timeout only guards against a hang; nothing asserts how long a ping took.
        const reply = await this.connection.call<{ pong: string }>(`${A}.Ping`, { ping: "p" }, { timeout: 60_000 });
        if (reply.pong === "p") this.answered++;
        else this.failures.push(`wrong reply ${JSON.stringify(reply)}`);
      } catch (error) {
        this.failures.push(String(error));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Stops after the ping in flight and says how it went. */
  async stop(): Promise<{ answered: number; failures: readonly string[] }> {
    this.running = false;
    await this.loop;
    this.connection.close();
    return { answered: this.answered, failures: this.failures };
  }
}

/** A message of `size` bytes that never ends: a call whose string parameter goes on and on. */
export function endlessMessage(size: number): Buffer {
  const head = Buffer.from(`{"method":"${A}.Echo","parameters":{"data":"`);
  const message = Buffer.alloc(size, "a".charCodeAt(0));
  head.copy(message);
  return message;
}

/** A whole Echo call of about `size` bytes. */
export function echoCall(size: number): string {
  return `{"method":"${A}.Echo","parameters":{"data":"${"e".repeat(size)}"}}\0`;
}

/** Mebibytes, for messages. */
export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/**
 * The peak resident set the target may reach: its heap limit, what it holds outside the heap for
 * the budget, and room for the runtime itself. Without the budget and the bounds on a message's
 * shape, these attacks took it past 3 GiB or crashed it.
 */
export const PEAK_RSS_BOUND = 640 * 1024 * 1024;

/**
 * What every attack must leave behind: a well-behaved client answered throughout, a live target
 * within its memory bound, and once the attackers are gone, connections, descriptors, budget and
 * heap back at their baseline. Returns the target's stats then.
 */
export async function expectRecovered(
  target: Target,
  baseline: TargetStats,
  pinger: Pinger,
): Promise<TargetStats> {
  const { answered, failures } = await pinger.stop();
  expect(failures).toEqual([]);
  expect(answered).toBeGreaterThan(0);
  expect(target.child.running).toBe(true);
  const after = await target.endAttack();
  expect(after.connections).toBe(1);
  expect(after.budgetUsed).toBeLessThanOrEqual(baseline.budgetUsed);
  expect(after.fds).toBe(baseline.fds);
  // Heap after a full collection: within a few MiB of where it was (code warmed up, caches).
  expect(after.heapUsed).toBeLessThan(baseline.heapUsed + 16 * 1024 * 1024);
  expect(after.peakRss, `peak RSS ${mib(after.peakRss)}`).toBeLessThan(PEAK_RSS_BOUND);
  return after;
}
