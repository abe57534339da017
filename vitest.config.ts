import { defineConfig } from "vitest/config";

// Tests import the workspace packages through their "source" export condition, so every test
// sees one copy of each module (TypeScript sources) and error classes compare with instanceof.
// Child processes spawned by tests run the built output in dist/, which `pnpm test` builds first.
export default defineConfig({
  resolve: { conditions: ["source", "node", "import", "default"] },
  ssr: { resolve: { conditions: ["source", "node", "import", "default"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/**/*.test.ts", "bench/test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results.json" },
  },
});
