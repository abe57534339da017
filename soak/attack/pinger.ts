/**
 * The well-behaved client that keeps calling the service while an attack runs: it must be
 * answered throughout. How long its pings took is reported, not judged.
 */
import { performance } from "node:perf_hooks";
import { connect, type Connection } from "@varlink-ts/runtime";
import { A } from "./target.js";

/** What the pings saw. */
export interface PingReport {
  readonly answered: number;
  /** The longest a ping took, in ms. */
  readonly slowest: number;
  readonly failures: readonly string[];
}

/** Calls Ping again and again on a connection of its own. */
export class Pinger {
  private answered = 0;
  private slowest = 0;
  private readonly failures: string[] = [];
  private running = true;
  private readonly loop: Promise<void>;

  private constructor(private readonly connection: Connection) {
    this.loop = this.run();
  }

  /** Connects to `address` and starts pinging. */
  static async start(address: string): Promise<Pinger> {
    return new Pinger(await connect(address, { timeout: 10_000 }));
  }

  /** Stops after the ping in flight and says how it went. */
  async stop(): Promise<PingReport> {
    this.running = false;
    await this.loop;
    this.connection.close();
    return { answered: this.answered, slowest: this.slowest, failures: this.failures };
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = performance.now();
      try {
        // The timeout only turns a hang into a failure; under it, slow is reported, not failed.
        const reply = await this.connection.call<{ pong: string }>(`${A}.Ping`, { ping: "p" }, { timeout: 60_000 });
        if (reply.pong === "p") this.answered++;
        else this.failures.push(`wrong reply ${JSON.stringify(reply)}`);
      } catch (error) {
        this.failures.push(String(error));
        // The connection is gone with the failed call: nothing more to learn from it.
        return;
      }
      this.slowest = Math.max(this.slowest, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
