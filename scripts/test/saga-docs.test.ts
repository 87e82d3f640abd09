import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { SAGA_DESCRIPTIONS, SAGA_DOCS, sagaDescriptionJson, withSagaBlock } from "../lib/saga-docs.js";

describe("saga docs", () => {
  it.each(SAGA_DOCS.map((d) => [d.machine.name, d] as const))(
    "the %s saga's diagram and table in the docs match its definition (npm run docs:saga rewrites them)",
    async (_name, { file, machine }) => {
      const text = await readFile(file, "utf8");
      expect(text).toBe(withSagaBlock(text, machine));
    },
  );

  it.each(SAGA_DESCRIPTIONS.map((d) => [d.machine.name, d] as const))(
    "the %s saga's JSON the inspector draws matches its definition (npm run docs:saga rewrites it)",
    async (_name, { file, machine }) => {
      expect(await readFile(file, "utf8")).toBe(sagaDescriptionJson(machine));
    },
  );
});
