// Reads vitest's JSON report of each Node version's pass and prints what failed, then the totals
// as one line, "N passed, N failed": CI reads only the end of the log, so a failure must be
// named there, not only in the pass's own output far above.
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";

const MESSAGE_LINES = 12;
let passed = 0;
let failed = 0;
let skipped = 0;
let ok = true;
const summaries = [];

for (const version of process.argv.slice(2)) {
  const file = `test-results-node${version}.json`;
  if (!existsSync(file)) {
    summaries.push(`Node ${version}: no test results were written`);
    failed += 1;
    ok = false;
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  let versionFailed = report.numFailedTests;
  for (const result of report.testResults) {
    const name = relative(process.cwd(), result.name);
    const failures = result.assertionResults.filter((test) => test.status === "failed");
    for (const test of failures) {
      console.error(`\nFAILED on Node ${version}: ${name} > ${test.fullName}`);
      console.error(excerpt(test.failureMessages.join("\n")));
    }
    // A file that fails to load fails without failing a test: count each such file once.
    if (result.status === "failed" && failures.length === 0) {
      versionFailed += 1;
      console.error(`\nFAILED on Node ${version}: ${name} (the file itself)`);
      console.error(excerpt(result.message ?? ""));
    }
  }
  summaries.push(`Node ${version}: ${report.numPassedTests} passed, ${versionFailed} failed`);
  passed += report.numPassedTests;
  failed += versionFailed;
  skipped += report.numPendingTests;
  ok &&= report.success && report.numPassedTests > 0;
}

for (const line of summaries) console.error(line);
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
process.exit(failed > 0 || !ok ? 1 : 0);

function excerpt(message) {
  const lines = message.split("\n");
  const kept = lines.slice(0, MESSAGE_LINES).map((line) => `    ${line}`);
  if (lines.length > MESSAGE_LINES) kept.push(`    … ${lines.length - MESSAGE_LINES} more lines`);
  return kept.join("\n");
}
