import { configDefaults, defineConfig } from "vitest/config";

// Tests import the workspace packages through their "source" export condition, so every test
// sees one copy of each module (TypeScript sources) and error classes compare with instanceof.
// Child processes spawned by tests run the built output in dist/, which `pnpm test` builds first.
const conditions = ["source", "node", "import", "default"];

// The layers, by folder. A test file's folder says what it needs:
//
//   unit         **/test/unit/**    pure: no socket, no process, no built dist/; runs from sources
//   interop      **/interop/**      a real peer this project did not write: varlink-go, systemd
//   soak         **/test/soak/**    reliability: hostile input, faults, load, the bench run
//   integration  any other test     sockets, child processes, the commands (most runs in the
//                                   test's process, some as the built bins), the examples (and
//                                   examples/web's headless Chromium)
//
// A new folder is integration unless it is named as above (packages/runtime/test/fds/ and
// packages/runtime/test/native*/ are). `pnpm test` runs every layer; `pnpm test:unit` (and
// :integration, :interop, :soak) runs one.
const TESTS = ["packages/*/test/**/*.test.ts", "examples/*/**/*.test.ts", "bench/test/**/*.test.ts"];
const UNIT = ["packages/*/test/unit/**/*.test.ts", "bench/test/unit/**/*.test.ts"];
const INTEROP = ["packages/*/test/**/interop/**/*.test.ts", "examples/*/interop/**/*.test.ts"];
const SOAK = ["packages/*/test/soak/**/*.test.ts", "bench/test/soak/**/*.test.ts"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: two workers, and the processes the tests start get the rest of the time.
    maxWorkers: 2,
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: UNIT,
          // Nothing here opens a socket or starts a process: threads start faster than forks, and
          // the files share a worker's modules (TypeScript, ts-morph, prettier are loaded once).
          pool: "threads",
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: TESTS,
          exclude: [...configDefaults.exclude, ...UNIT, ...INTEROP, ...SOAK],
          pool: "forks",
          // A worker runs file after file with the modules it has loaded (half the CPU of a fresh
          // process per file): a file that changes process.env or adds process listeners puts
          // them back in afterEach/afterAll.
          isolate: false,
        },
      },
      {
        extends: true,
        // Peers and daemons run as processes of their own; the files share workers as
        // integration's do (a file that adds process listeners removes them).
        test: { name: "interop", include: INTEROP, pool: "forks", isolate: false },
      },
      {
        extends: true,
        // The files share workers too: those that count this process's descriptors or listen for
        // its warnings take their baseline inside the test and remove their listeners.
        test: { name: "soak", include: SOAK, pool: "forks", isolate: false },
      },
    ],
  },
});
