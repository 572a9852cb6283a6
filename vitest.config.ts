import { defineConfig } from "vitest/config";
import { TunegateReporter } from "./src/vitest/reporter.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Engine tests load real GGUF models through llama.cpp; a model load plus a suite takes seconds on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // llama.cpp is a native addon: forks keep a crash in one file from taking the runner down.
    pool: "forks",
    // No result cache unless a test names one: a cached result would hide the model loads and tokens a test counts.
    env: { TUNEGATE_NO_CACHE: "1" },
    // tunegate's own reporter ends the run with a plain "N passed, N failed" line that CI log readers know.
    reporters: ["default", new TunegateReporter()],
  },
});
