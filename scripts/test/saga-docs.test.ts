import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { SAGA_DOCS, withSagaBlock } from "../lib/saga-docs.js";

describe("saga docs", () => {
  it.each(SAGA_DOCS.map((d) => [d.machine.name, d] as const))(
    "the %s saga's diagram and table in the docs match its definition (npm run docs:saga rewrites them)",
    async (_name, { file, machine }) => {
      const text = await readFile(file, "utf8");
      expect(text).toBe(withSagaBlock(text, machine));
    },
  );
});
