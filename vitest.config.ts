import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/{src,test}/**/*.test.ts"],
    exclude: ["**/node_modules/**", ".data/**"],
    globalSetup: ["./scripts/test-global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: files that each start servers do better a few at a time.
    maxWorkers: 3,
  },
});
