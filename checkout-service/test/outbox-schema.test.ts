import { readFile } from "node:fs/promises";
import { outboxTable } from "@checkout-saga/shared";
import { generateDrizzleJson } from "drizzle-kit/api";
import { describe, expect, it } from "vitest";

const meta = new URL("../drizzle/meta/", import.meta.url);
const readJson = async <T>(name: string) => JSON.parse(await readFile(new URL(name, meta), "utf8")) as T;

describe("checkout's outbox table", () => {
  it("is the shared definition, exactly as checkout's migrations created it", async () => {
    // The latest snapshot is what the checked-in migrations add up to.
    const journal = await readJson<{ entries: { idx: number }[] }>("_journal.json");
    const latest = journal.entries.at(-1)!;
    const snapshot = await readJson<{ tables: Record<string, unknown> }>(
      `${String(latest.idx).padStart(4, "0")}_snapshot.json`,
    );
    const shared = generateDrizzleJson({ outbox: outboxTable });
    expect(shared.tables["public.outbox"]).toEqual(snapshot.tables["public.outbox"]);
  });
});
