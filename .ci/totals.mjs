// Reads vitest's JSON report of each Node version's pass and prints what failed, then the totals
// as one line, "N passed, N failed": CI reads only the end of the log, so a failure must be
// named there, not only in the pass's own output far above. Arguments: VERSION:EXIT_STATUS.
import { existsSync, readFileSync } from "node:fs";
import { relative } from "node:path";

const MESSAGE_LINES = 12;
let passed = 0;
let failed = 0;
let skipped = 0;
const summaries = [];

for (const argument of process.argv.slice(2)) {
  const [version, exitStatus = "0"] = argument.split(":");
  const file = `test-results-node${version}.json`;
  const report = readReport(file);
  if (typeof report === "string") {
    failure(`Node ${version}: ${report} (the pass exited ${exitStatus})`, "");
    summaries.push(`Node ${version}: ${report}`);
    failed += 1;
    continue;
  }
  let versionFailed = 0;
  for (const result of report.testResults) {
    const name = relative(process.cwd(), result.name);
    const failures = result.assertionResults.filter((test) => test.status === "failed");
    for (const test of failures) failure(`Node ${version}: ${name} > ${test.fullName}`, test.failureMessages.join("\n"));
    versionFailed += failures.length;
    // A file that fails to load, or whose hook fails, fails without failing a test: count it once.
    if (result.status === "failed" && failures.length === 0) {
      failure(`Node ${version}: ${name} (the file itself)`, result.message ?? "");
      versionFailed += 1;
    }
  }
  // The report leaves out what failed outside every test (an unhandled error): the exit status tells.
  if (versionFailed === 0 && (exitStatus !== "0" || !report.success || report.numPassedTests === 0)) {
    failure(`Node ${version}: the pass exited ${exitStatus} though its report names no failed test`, "an unhandled error, or an error before the tests ran: see that pass's output above");
    versionFailed = 1;
  }
  summaries.push(`Node ${version}: ${report.numPassedTests} passed, ${versionFailed} failed`);
  passed += report.numPassedTests;
  failed += versionFailed;
  skipped += report.numPendingTests;
}

for (const line of summaries) console.error(line);
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
process.exit(failed > 0 ? 1 : 0);

/** The parsed report, or why there is none. */
function readReport(file) {
  if (!existsSync(file)) return "no test results were written";
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    return `${file} cannot be read: ${error.message}`;
  }
}

function failure(what, message) {
  console.error(`\nFAILED on ${what}`);
  const lines = (message.trim() === "" ? "(no message in the report: see that pass's output above)" : message).split("\n");
  const kept = lines.slice(0, MESSAGE_LINES).map((line) => `    ${line}`);
  if (lines.length > MESSAGE_LINES) kept.push(`    … ${lines.length - MESSAGE_LINES} more lines`);
  console.error(kept.join("\n"));
}
