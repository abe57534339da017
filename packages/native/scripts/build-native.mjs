// Builds the addon from addon/ with node-gyp, then copies it to prebuilds/<platform>-<arch>/,
// stripped, as the binary to commit. Run with `pnpm run build:native` (needs a C++ compiler,
// make and python3).
//
// node-gyp needs Node's headers. It downloads them unless told where they are: this uses, in
// order, npm_config_nodedir / NODE_GYP_NODEDIR when set, else /usr when /usr/include/node has
// node_api.h (Debian's and NodeSource's nodejs packages install it there), else the download.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const addon = join(root, "addon");
const require = createRequire(import.meta.url);

function run(command, args, options = {}) {
  console.log(`> ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const nodedir =
  process.env.NODE_GYP_NODEDIR ||
  process.env.npm_config_nodedir ||
  (existsSync("/usr/include/node/node_api.h") ? "/usr" : undefined);
const nodeGyp = require.resolve("node-gyp/bin/node-gyp.js");
run(process.execPath, [nodeGyp, "rebuild", ...(nodedir ? [`--nodedir=${nodedir}`] : [])], {
  cwd: addon,
});

const built = join(addon, "build", "Release", "varlink_native.node");
const target = join(root, "prebuilds", `${process.platform}-${process.arch}`);
mkdirSync(target, { recursive: true });
const prebuilt = join(target, "varlink_native.node");
copyFileSync(built, prebuilt);
const strip = spawnSync("strip", ["--strip-unneeded", prebuilt], { stdio: "inherit" });
if (strip.error || strip.status !== 0) console.log("(strip not available: copied unstripped)");
console.log(`${prebuilt}: ${statSync(prebuilt).size} bytes`);
