/**
 * `pnpm soak`: 100,000 calls over 50 connections with random disconnects and restarts of the
 * service, then one summary line. Exits 1 when any call ended twice, wrongly, untyped, or not at
 * all. Options: --calls N, --connections N, --restarts N, --seed N.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runSoak, summaryLine } from "./driver.js";

const { values } = parseArgs({
  options: {
    calls: { type: "string", default: "100000" },
    connections: { type: "string", default: "50" },
    restarts: { type: "string", default: "10" },
    seed: { type: "string" },
  },
});

/** A whole number from an option, or exit with a usage message. */
function count(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    process.stderr.write(`soak: --${name} must be a whole number, got ${String(text)}\n`);
    process.exit(2);
  }
  return value;
}

// Compiled to soak/dist/main.js; the server script stays next to the sources.
const serverScript = fileURLToPath(new URL("../server.mjs", import.meta.url));
const report = await runSoak({
  calls: count("calls", values.calls),
  connections: count("connections", values.connections),
  restarts: count("restarts", values.restarts),
  ...(values.seed === undefined ? {} : { seed: count("seed", values.seed) }),
  serverScript,
});
process.stdout.write(`${summaryLine(report)}\n`);
for (const sample of report.samples) process.stdout.write(`  ${sample}\n`);
process.exitCode = report.ok ? 0 : 1;
