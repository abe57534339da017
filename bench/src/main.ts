/**
 * `pnpm bench`: this project's varlink client and server measured side by side with Go's and
 * with a raw Node baseline, in turns, in one run. See docs/benchmarks.md.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { spawnSync } from "node:child_process";
import { runCodegen as checkGenerated } from "varlink-codegen";
import { interfaceDescription } from "./gen/org.example.bench.js";
import { runCodegen } from "./orchestrate/codegen.js";
import type { RunContext } from "./orchestrate/context.js";
import { ensureGoPeer } from "./orchestrate/go-peer.js";
import { runLarge } from "./orchestrate/large.js";
import { runNetwork } from "./orchestrate/network.js";
import { runWorkers, workersTable, type WorkersCell } from "./orchestrate/workers.js";
import { bridgeTable, runBridge, type BridgeCell } from "./orchestrate/bridge.js";
import { BENCH_DIR, BENCH_IDL, CACHE_DIR, REPO_DIR } from "./orchestrate/paths.js";
import { goPeer, nodePeers, PAIRS, type Peer, type PeerId } from "./orchestrate/peers.js";
import { parseOptions, USAGE, UsageError, type BenchOptions } from "./options.js";
import { publish } from "./report/docs.js";
import { summarize } from "./report/summary.js";
import { renderTables } from "./report/table.js";
import { checkTargets } from "./report/targets.js";
import type { BenchResults } from "./results.js";

const startedAt = performance.now();
/** Progress on stderr, each line stamped with the time since the start. */
const log = (line: string): void => {
  const seconds = Math.round((performance.now() - startedAt) / 1000);
  const stamp = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  process.stderr.write(`${stamp} ${line}\n`);
};

const STALE =
  "bench/src/gen is not what varlink-codegen generates from bench/org.example.bench.varlink; run\n" +
  "  node packages/cli/bin/varlink-codegen.js bench/org.example.bench.varlink -o bench/src/gen";

/**
 * The TypeScript peers run the committed generated module; a stale one would measure old code.
 * A quick run only compares the interface text the module embeds (loading the generator takes
 * seconds); a full run generates it again in memory and compares every byte.
 */
async function checkGeneratedCode(thorough: boolean): Promise<void> {
  if (interfaceDescription !== readFileSync(BENCH_IDL, "utf8")) throw new Error(STALE);
  if (!thorough) return;
  const result = await checkGenerated({
    inputs: [BENCH_IDL],
    out: path.join(BENCH_DIR, "src", "gen"),
    check: true,
  });
  if (!result.upToDate) throw new Error(STALE);
}

async function run(
  options: BenchOptions,
): Promise<BenchResults & { readonly workers: WorkersCell[]; readonly bridge: BridgeCell[] }> {
  const started = performance.now();
  await checkGeneratedCode(!options.quick);
  const peers = new Map<PeerId, Peer>(nodePeers().map((peer) => [peer.id, peer]));
  const skipped: string[] = [];
  const go = ensureGoPeer(log);
  if ("binary" in go) peers.set("go", goPeer(go.binary));
  else {
    skipped.push(`the Go pairs and Go's generator: ${go.missing}`);
    log(`warning: skipping the Go pairs: ${go.missing}`);
  }
  const pairs = PAIRS.filter(
    (pair) => options.pairs.includes(pair.id) && peers.has(pair.client) && peers.has(pair.server),
  );
  const scratch = mkdtempSync(path.join(os.tmpdir(), "varlink-bench-"));
  const context: RunContext = { peers, scratch, log };
  try {
    const network = await runNetwork(context, {
      scenarios: options.network,
      pairs,
      rounds: options.rounds,
      warmupMs: options.warmupMs,
      durationMs: options.durationMs,
    });
    const large = options.large
      ? await runLarge(context, {
          megabytes: options.megabytes,
          pairs,
          rounds: options.largeRounds,
        })
      : [];
    const codegen = options.codegen
      ? await runCodegen(context, {
          rounds: options.codegenRounds,
          interfaces: 200,
          tasks: options.codegenTasks,
          withGo: peers.has("go"),
        })
      : [];
    const workers = options.workers
      ? await runWorkers(context, {
          rounds: options.rounds,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
        })
      : [];
    const bridge = options.bridge
      ? await runBridge(context, {
          rounds: options.rounds,
          warmupMs: options.warmupMs,
          durationMs: options.durationMs,
        })
      : [];
    const goVersion = peers.has("go")
      ? spawnSync("go", ["version"], { encoding: "utf8" }).stdout.trim()
      : undefined;
    return {
      version: 1,
      date: new Date().toISOString(),
      host: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model.trim() ?? "unknown CPU",
        node: process.versions.node,
        go: goVersion?.replace(/^go version /, ""),
        loadAverage: os.loadavg()[0] ?? 0,
      },
      settings: {
        quick: options.quick,
        rounds: options.rounds,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
      },
      skipped,
      network,
      large,
      codegen,
      workers,
      bridge,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    log(`bench: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === undefined) {
    console.log(USAGE);
    return 0;
  }
  const loadAtStart = os.loadavg()[0] ?? 0;
  const results = await run(options);
  const finished = { ...results, host: { ...results.host, loadAverage: loadAtStart } };
  const summary = summarize(finished);
  const targets = checkTargets(summary);
  const tables = renderTables(finished, summary, targets);
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(path.join(CACHE_DIR, "last-run.json"), `${JSON.stringify(finished, null, 2)}\n`);
  if (options.json) console.log(JSON.stringify({ ...finished, summary, targets }, null, 2));
  else console.log(`\n${tables}`);
  // Its own table, kept out of the published results (docs/benchmarks.md, "Several cores").
  if (!options.json && results.workers.length > 0) console.log(`\n${workersTable(results.workers)}`);
  if (!options.json && results.bridge.length > 0) console.log(`\n${bridgeTable(results.bridge)}`);
  if (options.docs) log(`\nupdated ${publish(finished, summary, tables).join(", ")}`);
  else log(`\nresults in ${path.relative(REPO_DIR, path.join(CACHE_DIR, "last-run.json"))}`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
