/**
 * Attack 5, on a client: a malicious service floods a `more` call with large `continues` replies
 * while the client's consumer takes one every 100 ms. The client runs in a child process with
 * V8's default heap, so its peak resident set is its own; it must stay bounded.
 */
import { join } from "node:path";
import { FloodService } from "./flood-service.js";
import { Child, mib } from "./processes.js";

/** How the client-side attack is run. */
export interface ClientAttackOptions {
  /** soak/attack-client.mjs */
  readonly script: string;
  /** Where the malicious service's socket goes. */
  readonly dir: string;
  /** Bytes of each reply's string. */
  readonly replyBytes: number;
  /** How long the client consumes, in seconds. */
  readonly seconds: number;
  /** Milliseconds the consumer waits between replies. */
  readonly interval: number;
  /** The client's peak resident set above which the attack counts as not bounded. */
  readonly peakBound: number;
}

/** How the client fared. */
export interface ClientAttackResult {
  readonly title: string;
  readonly seconds: number;
  /** The client's peak resident set (VmHWM), in bytes; 0 when it did not report. */
  readonly peakRss: number;
  readonly peakBound: number;
  /** The client's heap when it stopped, in bytes. */
  readonly heapUsed: number;
  /** Replies the consumer took. */
  readonly taken: number;
  /** Replies the service managed to hand to the socket. */
  readonly sent: number;
  readonly problems: readonly string[];
  readonly ok: boolean;
}

interface ClientReport {
  taken: number;
  wrong: number;
  error: string | null;
  peakRss: number;
  heapUsed: number;
}

/** Runs the flood against a client child and reports. The child is killed whatever happens. */
export async function runClientAttack(options: ClientAttackOptions): Promise<ClientAttackResult> {
  const path = join(options.dir, "flood.sock");
  const flood = await FloodService.listen(path, options.replyBytes);
  const started = Date.now();
  const problems: string[] = [];
  let report: ClientReport | undefined;
  let child: Child | undefined;
  try {
    child = await Child.start(options.script, [`unix:${path}`, String(options.seconds), String(options.interval)]);
    const line = await child.line((text) => text.startsWith("result "), options.seconds * 1000 + 60_000);
    if (line === undefined) problems.push(`the client gave no result (${child.running ? "hung" : child.ending})`);
    else report = JSON.parse(line.slice("result ".length)) as ClientReport;
  } finally {
    await child?.kill();
    await flood.close();
  }
  if (report !== undefined) {
    if (report.error !== null) problems.push(`the client's call failed: ${report.error}`);
    if (report.wrong > 0) problems.push(`${report.wrong} replies were not what was sent`);
    if (report.taken === 0) problems.push("the consumer got no reply");
    if (report.peakRss > options.peakBound) {
      problems.push(`the client's peak RSS ${mib(report.peakRss)} passed ${mib(options.peakBound)}`);
    }
  }
  return {
    title: `a service flooding ${mib(options.replyBytes)} continues replies, a consumer taking one every ${options.interval} ms for ${options.seconds} s`,
    seconds: (Date.now() - started) / 1000,
    peakRss: report?.peakRss ?? 0,
    peakBound: options.peakBound,
    heapUsed: report?.heapUsed ?? 0,
    taken: report?.taken ?? 0,
    sent: flood.sent,
    problems,
    ok: problems.length === 0,
  };
}
