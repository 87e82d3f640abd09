import { defineConfig } from "vitest/config";

/**
 * Drills: each starts a whole system (embedded or the production stack) and puts it under load
 * while things fail. They run after the other suites, one at a time, so on two cores they do
 * not starve each other (or the suites) of CPU and measure what they mean to.
 */
export default defineConfig({
  test: {
    include: ["scripts/drills/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    globalSetup: ["./scripts/test-global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
