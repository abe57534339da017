/**
 * Builds the Go peer (bench/peers/go) against Debian's varlink/go sources in GOPATH mode, offline,
 * with its org.example.bench package made by varlink-go-interface-generator. The binary is cached
 * and rebuilt only when its sources, the interface or the Go toolchain change.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { BENCH_IDL, CACHE_DIR, GO_PEER_SOURCE } from "./paths.js";

/** Where golang-github-varlink-go-dev installs the library's sources. */
const DEBIAN_GOCODE = "/usr/share/gocode";
const INSTALL_HINT =
  "install Debian's packages golang-go, golang-github-varlink-go-dev and varlink-go " +
  "(apt-get install -y golang-go golang-github-varlink-go-dev varlink-go)";

export type GoPeer = { readonly binary: string } | { readonly missing: string };

function found(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Returns the peer's binary, building it if needed, or why it cannot be had. */
export function ensureGoPeer(log: (line: string) => void): GoPeer {
  const goVersion = found("go", ["version"]);
  if (goVersion === undefined) return { missing: `go is not installed: ${INSTALL_HINT}` };
  if (!existsSync(path.join(DEBIAN_GOCODE, "src/github.com/varlink/go/varlink"))) {
    return { missing: `the varlink/go sources are not in ${DEBIAN_GOCODE}: ${INSTALL_HINT}` };
  }
  if (found("sh", ["-c", "command -v varlink-go-interface-generator"]) === undefined) {
    return { missing: `varlink-go-interface-generator is not installed: ${INSTALL_HINT}` };
  }
  const sources = readdirSync(GO_PEER_SOURCE)
    .filter((name) => name.endsWith(".go"))
    .sort();
  const hash = createHash("sha256").update(goVersion);
  for (const name of sources)
    hash.update(name).update(readFileSync(path.join(GO_PEER_SOURCE, name)));
  hash.update(readFileSync(BENCH_IDL));
  const stamp = hash.digest("hex");

  const root = path.join(CACHE_DIR, "go");
  const binary = path.join(root, "varlink-bench-peer");
  const stampFile = path.join(root, "stamp");
  if (existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) {
    return { binary };
  }
  log("building the Go peer (bench/peers/go) in GOPATH mode…");
  const gopath = path.join(root, "gopath");
  rmSync(gopath, { recursive: true, force: true });
  const program = path.join(gopath, "src", "varlinkbenchpeer");
  const generated = path.join(gopath, "src", "orgexamplebench");
  mkdirSync(program, { recursive: true });
  mkdirSync(generated, { recursive: true });
  for (const name of sources)
    copyFileSync(path.join(GO_PEER_SOURCE, name), path.join(program, name));
  copyFileSync(BENCH_IDL, path.join(generated, "org.example.bench.varlink"));
  const steps: [string, string[], string][] = [
    ["varlink-go-interface-generator", ["org.example.bench.varlink"], generated],
    ["go", ["build", "-o", binary, "."], program],
  ];
  const env = {
    ...process.env,
    GO111MODULE: "off",
    GOPATH: `${gopath}:${DEBIAN_GOCODE}`,
    GOCACHE: process.env["GOCACHE"] ?? path.join(root, "build-cache"),
    // Flags meant for module builds (-mod=vendor, …) would break a GOPATH build.
    GOFLAGS: "",
  };
  for (const [command, args, cwd] of steps) {
    const result = spawnSync(command, args, { cwd, env, encoding: "utf8" });
    if (result.status !== 0) {
      return {
        missing: `building the Go peer failed at ${command}: ${result.stderr || result.error?.message}`,
      };
    }
  }
  writeFileSync(stampFile, stamp);
  return { binary };
}
