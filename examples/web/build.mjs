#!/usr/bin/env node
// Bundles the page for browsers into dist/: src/main.ts (with the generated client in src/gen and
// the browser build of @varlink-ts/runtime) as dist/main.js, and index.html beside it.
//
//   node build.mjs            (or: pnpm run build, in this directory)
//
// @varlink-ts/runtime resolves through its "browser" export condition to dist/browser/index.js,
// so the runtime must be built first (`npx tsc -b` at the repository root; `pnpm test` does it).
// That module graph has no node: import; if one crept in, esbuild would fail here, since
// platform "browser" has no Node built-ins.
import { copyFile, mkdir, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const outdir = here("./dist/");

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

const result = await build({
  entryPoints: [here("./src/main.ts")],
  outdir,
  bundle: true,
  platform: "browser",
  format: "esm",
  target: ["es2022"],
  // "browser" first: the runtime's browser build. No "source": that would pick the Node sources.
  conditions: ["browser", "import", "default"],
  sourcemap: true,
  minify: process.argv.includes("--minify"),
  metafile: true,
  logLevel: "warning",
});
await copyFile(here("./index.html"), here("./dist/index.html"));

const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith(".js"))
  .reduce((sum, [, output]) => sum + output.bytes, 0);
console.log(`built dist/: index.html, main.js (${(bytes / 1024).toFixed(1)} KiB)`);
