import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOutboxRetention, type Sql } from "../src/index.js";
import { testLogger } from "../src/testing/index.js";
import { createOutboxDatabase } from "./outbox-database.js";

let sql: Sql;

beforeAll(async () => {
  ({ sql } = await createOutboxDatabase("outbox_retention"));
});

afterAll(async () => {
  await sql?.end();
});

/** `count` rows created `ageDays` ago, published then (or still pending). */
async function writeRows(count: number, ageDays: number, published: boolean) {
  await sql`
    insert into outbox (event_id, aggregate_id, event_type, topic, message_key, payload, created_at, published_at)
    select gen_random_uuid(), gen_random_uuid(), 'CheckoutCompleted', 'checkout-events', 'user-' || (g % 100),
           '\\x0a'::bytea, now() - ${ageDays} * interval '1 day',
           case when ${published} then now() - ${ageDays} * interval '1 day' end
    from generate_series(1, ${count}) g`;
}

/** The plan PostgreSQL picks for a query, as its JSON tree flattened to node descriptions. */
async function planOf(query: string): Promise<string[]> {
  const [row] = await sql.unsafe(`explain (format json) ${query}`);
  const nodes: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    nodes.push(`${node["Node Type"]}${node["Index Name"] ? ` using ${node["Index Name"]}` : ""}`);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  if (!row) throw new Error(`no plan for ${query}`);
  walk((row["QUERY PLAN"] as { Plan: Record<string, unknown> }[])[0]!.Plan);
  return nodes;
}

describe("outbox retention", () => {
  it("deletes published rows past retention in batches, and keeps recent and unpublished ones", async () => {
    await sql`delete from outbox`;
    await writeRows(7, 10, true);
    await writeRows(2, 3, true);
    await writeRows(2, 30, false);
    const retention = createOutboxRetention(
      { sql, logger: testLogger() },
      { retentionDays: 7, intervalMs: 60_000, batchSize: 3, pauseMs: 0 },
    );

    expect(await retention.sweep()).toBe(7);

    const left = await sql<{ published: boolean; n: string }[]>`
      select published_at is not null as published, count(*) as n from outbox group by 1 order by 1`;
    expect(left.map((r) => [r.published, Number(r.n)])).toEqual([
      [false, 2],
      [true, 2],
    ]);
    expect(await retention.sweep()).toBe(0);
  });

  it("keeps the relay's pending query and retention's delete on their partial indexes over a million published rows", async () => {
    await sql`delete from outbox`;
    await writeRows(1_000_000, 1, true);
    await writeRows(50, 0, false);
    await sql`analyze outbox`;

    // The relay's claim, as in outbox-relay.ts.
    const claim = await planOf(
      "select id, topic, message_key, payload, headers from outbox where published_at is null order by id limit 500 for update skip locked",
    );
    expect(claim).toContain("Index Scan using outbox_unpublished_idx");
    expect(claim.some((n) => n.startsWith("Seq Scan"))).toBe(false);

    // The CLI's pending count and oldest age.
    const status = await planOf("select count(*), min(created_at) from outbox where published_at is null");
    expect(status.some((n) => n.includes("using outbox_unpublished_idx"))).toBe(true);

    // Retention's batch delete, as in outbox-retention.ts.
    const sweep = await planOf(
      "delete from outbox where id in (select id from outbox where published_at < now() - 7 * interval '1 day' order by published_at limit 1000 for update skip locked)",
    );
    expect(sweep).toContain("Index Scan using outbox_published_at_idx");
    expect(sweep.some((n) => n.startsWith("Seq Scan"))).toBe(false);
  }, 120_000);
});
