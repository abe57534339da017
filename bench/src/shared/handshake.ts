/**
 * The `large` scenario's pause: the client prints "warm" once warmed up and waits for a line on
 * stdin, so that the orchestrator can restart the server's peak memory before the measured call.
 */
import { createInterface } from "node:readline";

export async function waitForGoAhead(): Promise<void> {
  process.stdout.write("warm\n");
  const lines = createInterface({ input: process.stdin });
  try {
    for await (const _line of lines) return;
    throw new Error("stdin closed before the go-ahead");
  } finally {
    lines.close();
  }
}
