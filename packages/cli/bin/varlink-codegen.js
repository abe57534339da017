#!/usr/bin/env node
// Thin launcher: the command lives in dist/ once the package is built.
import { main } from "../dist/codegen/main.js";
import { processContext } from "../dist/varlink/context.js";

// --watch runs until interrupted; stop it cleanly so the last run's output is not cut.
const stop = new AbortController();
process.once("SIGINT", () => stop.abort());
process.once("SIGTERM", () => stop.abort());

process.exitCode = await main(process.argv.slice(2), { ...processContext(), signal: stop.signal });
