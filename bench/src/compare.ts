/**
 * `pnpm bench:compare DIR`: this checkout's TypeScript client and server against another
 * checkout's (DIR, built with `tsc -b && tsc -b bench`), in one run, in turns (A B A B…), on the
 * timed scenarios; prints the medians and the ratio of this build to the other. For checking that
 * a change does not make calls slower.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { DIST_DIR } from "./orchestrate/paths.js";
import { runClient, ServerProcess } from "./orchestrate/processes.js";
import { times } from "./report/format.js";
import { median } from "./shared/timed.js";
import { NETWORK_SCENARIOS, type NetworkScenario } from "./shared/workload.js";

const USAGE = `Usage: pnpm bench:compare [options] OTHER_CHECKOUT

  --scenarios LIST   comma-separated, from: ${NETWORK_SCENARIOS.join(", ")} (default: all)
  --rounds N         rounds; each figure is the median (default 7)
  --duration MS      measured milliseconds per client run (default 600)
  --warmup MS        milliseconds run before measuring (default 200)`;

interface Build {
  readonly label: string;
  readonly peerDir: string;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      scenarios: { type: "string" },
      rounds: { type: "string", default: "7" },
      duration: { type: "string", default: "600" },
      warmup: { type: "string", default: "200" },
    },
    allowPositionals: true,
  });
  const other = positionals[0];
  if (other === undefined) {
    console.error(USAGE);
    return 2;
  }
  const scenarios = (values.scenarios?.split(",") ?? NETWORK_SCENARIOS) as NetworkScenario[];
  const builds: Build[] = [
    { label: "this build", peerDir: path.join(DIST_DIR, "peers", "ts") },
    { label: "other build", peerDir: path.resolve(other, "bench", "dist", "peers", "ts") },
  ];
  const rounds = Number(values.rounds);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "varlink-bench-compare-"));
  const servers: ServerProcess[] = [];
  const figures = new Map<string, number[]>();
  try {
    const addresses: string[] = [];
    for (const [index, build] of builds.entries()) {
      const address = `unix:${path.join(scratch, `${index}.sock`)}`;
      const script = path.join(build.peerDir, "server.js");
      const command: [string, string[]] = [process.execPath, ["--expose-gc", script, address]];
      servers.push(await ServerProcess.start(command, build.label));
      addresses.push(address);
    }
    for (let round = 1; round <= rounds; round++) {
      for (const scenario of scenarios) {
        for (const [index, build] of builds.entries()) {
          const args = ["--address", addresses[index]!, "--scenario", scenario];
          args.push("--warmup", values.warmup, "--duration", values.duration);
          const script = path.join(build.peerDir, "client.js");
          const command: [string, string[]] = [process.execPath, ["--expose-gc", script, ...args]];
          const result = await runClient(command, `${scenario} ${build.label}`, 60_000);
          const perSecond = result.operations / result.seconds;
          const key = `${scenario}/${index}`;
          figures.set(key, [...(figures.get(key) ?? []), perSecond]);
          console.error(`[${round}/${rounds}] ${scenario} ${build.label}: ${Math.round(perSecond)}/s`);
        }
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`| scenario | this build, calls/s | other build, calls/s | this ÷ other |`);
  console.log(`|---|---|---|---|`);
  for (const scenario of scenarios) {
    const mine = median(figures.get(`${scenario}/0`) ?? [0]);
    const theirs = median(figures.get(`${scenario}/1`) ?? [0]);
    console.log(`| ${scenario} | ${Math.round(mine)} | ${Math.round(theirs)} | ${times(mine / theirs)} |`);
  }
  return 0;
}

process.exitCode = await main();
