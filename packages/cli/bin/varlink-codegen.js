#!/usr/bin/env node
// Thin launcher: the command lives in dist/ once the package is built.
import { main } from "../dist/codegen/main.js";

process.exitCode = await main(process.argv.slice(2));
