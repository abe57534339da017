/** Where things are, from the compiled file's location (bench/dist/orchestrate/paths.js). */
import { fileURLToPath } from "node:url";
import path from "node:path";

/** The bench directory: bench/. */
export const BENCH_DIR = fileURLToPath(new URL("../../", import.meta.url));
/** The repository root. */
export const REPO_DIR = path.resolve(BENCH_DIR, "..");
/** The compiled bench: bench/dist/. */
export const DIST_DIR = path.join(BENCH_DIR, "dist");
/** Builds and scratch files that survive between runs (git-ignored). */
export const CACHE_DIR = process.env["VARLINK_BENCH_CACHE"] ?? path.join(BENCH_DIR, ".cache");
/** The interface every peer implements. */
export const BENCH_IDL = path.join(BENCH_DIR, "org.example.bench.varlink");
/** The Go peer's source, our own code. */
export const GO_PEER_SOURCE = path.join(BENCH_DIR, "peers", "go");
/** The latest complete run, from which the docs' table and chart are made. */
export const LATEST_RESULTS = path.join(BENCH_DIR, "results", "latest.json");
/** The varlink-codegen command as installed in the workspace. */
export const CODEGEN_BIN = path.join(REPO_DIR, "packages", "cli", "bin", "varlink-codegen.js");
