import { createPostgres, type Sql } from "@checkout-saga/shared";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrateCheckoutDatabase } from "../src/store/migrate-checkout-database.js";
import { runOutboxCli } from "./outbox-fixture.js";

let sql: Sql;
let env: { CHECKOUT_DATABASE_URL: string };

interface RowJson {
  id: string;
  event_id: string;
  event_type: string;
  aggregate_id: string;
  published_at: string | null;
}

beforeAll(async () => {
  const url = await createTestDatabase("checkout_outbox_cli");
  await migrateCheckoutDatabase(url);
  sql = createPostgres(url);
  env = { CHECKOUT_DATABASE_URL: url };
  // Ids 1..8 published a minute apart up to 10 minutes ago, 9..10 pending (id 9 the older).
  await sql`
    insert into outbox (event_id, aggregate_id, event_type, topic, message_key, payload, created_at, published_at)
    select gen_random_uuid(), gen_random_uuid(), case when g % 2 = 0 then 'CheckoutFailed' else 'CheckoutCompleted' end,
           'checkout-events', 'user-' || g, '\\x0a'::bytea, now() - (20 - g) * interval '1 minute',
           case when g <= 8 then now() - (20 - g) * interval '1 minute' + interval '1 second' end
    from generate_series(1, 10) g`;
});

afterAll(async () => {
  await sql?.end();
});

const json = <T>(stdout: string) => JSON.parse(stdout) as T;

describe("npm run outbox", () => {
  it("status reports pending count, oldest pending age, last published id and rate", async () => {
    const [text, machine] = await Promise.all([runOutboxCli(["status"], env), runOutboxCli(["status", "--json"], env)]);

    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^pending\s+2$/m);
    expect(text.stdout).toMatch(/^last published id\s+8 /m);
    expect(text.stdout).toMatch(/^oldest pending age\s+11\.\d min/m);
    expect(machine.code).toBe(0);
    expect(json<Record<string, unknown>>(machine.stdout)).toMatchObject({
      pending: 2,
      last_published_id: "8",
      published_last_minute: 0,
      publish_rate_per_second: 0,
    });
  });

  it("lists rows one per line, newest first, or pending ones oldest first, with filters", async () => {
    const [all, pending, failed] = await Promise.all([
      runOutboxCli(["list", "--limit", "3"], env),
      runOutboxCli(["list", "--pending", "--json"], env),
      runOutboxCli(
        ["list", "--type", "CheckoutFailed", "--since", new Date(Date.now() - 15 * 60_000).toISOString(), "--json"],
        env,
      ),
    ]);

    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split("\n");
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(["10", "9", "8"]);
    expect(lines[0]).toMatch(/ pending +CheckoutFailed/);
    expect(json<RowJson[]>(pending.stdout).map((r) => [r.id, r.published_at])).toEqual([
      ["9", null],
      ["10", null],
    ]);
    expect(json<RowJson[]>(failed.stdout).map((r) => r.id)).toEqual(["10", "8", "6"]);
  });

  it("replay without KAFKA_BROKERS marks published rows unpublished for the running relay, same event ids", async () => {
    const before = await sql<
      { id: string; event_id: string }[]
    >`select id, event_id from outbox where id between 2 and 4 order by id`;

    const dry = await runOutboxCli(["replay", "--from-id", "2", "--to-id", "4", "--dry-run"], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("would replay 3 event(s)");
    expect(Number((await sql`select count(*) from outbox where published_at is null`)[0]!.count)).toBe(2);

    const r = await runOutboxCli(
      ["replay", "--from-id", "2", "--to-id", "4", "--type", "CheckoutFailed", "--json"],
      env,
    );
    expect(r.code).toBe(0);
    const out = json<{ via: string; count: number; events: RowJson[] }>(r.stdout);
    expect(out).toMatchObject({ via: "relay", count: 2 });
    expect(out.events.map((e) => e.event_id)).toEqual(
      before.filter((b) => ["2", "4"].includes(String(b.id))).map((b) => b.event_id),
    );
    const requeued = await sql<{ id: string }[]>`select id from outbox where published_at is null order by id`;
    expect(requeued.map((q) => String(q.id))).toEqual(["2", "4", "9", "10"]);
  });

  it("replay of a row that is not published yet, or does not exist, fails with the reason", async () => {
    const [pending, missing] = await Promise.all([
      runOutboxCli(["replay", "--id", "9"], env),
      runOutboxCli(["replay", "--id", "999"], env),
    ]);
    expect(pending.code).toBe(1);
    expect(pending.stderr).toContain("outbox row 9 is not published yet");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no outbox row with id 999");
  });

  it("exits 2 with the command's usage on bad arguments, and 0 with it on --help", async () => {
    const cases = await Promise.all([
      runOutboxCli(["replay", "--id", "1", "--aggregate", "2"], env),
      runOutboxCli(["replay", "--until", "2026-01-01"], env),
      runOutboxCli(["list", "--limit", "0"], env),
      runOutboxCli(["list", "--aggregate", "not-a-uuid"], env),
      runOutboxCli(["list", "--since", "yesterday"], env),
      runOutboxCli(["status", "--verbose"], env),
      runOutboxCli(["frobnicate"], env),
      runOutboxCli(["dead-letters", "purge"], env),
    ]);
    for (const c of cases) {
      expect(c.code).toBe(2);
      expect(c.stderr).toMatch(/^(error: |unknown command)/);
      expect(c.stderr).toContain("usage: npm run outbox --");
      expect(c.stdout).toBe("");
    }

    const help = await Promise.all(
      [
        ["--help"],
        ["status", "--help"],
        ["list", "--help"],
        ["replay", "--help"],
        ["dead-letters", "republish", "--help"],
      ].map((args) => runOutboxCli(args, env)),
    );
    for (const h of help) {
      expect(h.code).toBe(0);
      expect(h.stdout).toContain("usage: npm run outbox --");
    }
    // Thirteen CLI processes start at once; on two busy cores that outlasts the default.
  }, 120_000);

  it("names a missing or unreachable setting: CHECKOUT_DATABASE_URL, KAFKA_BROKERS", async () => {
    const [noDb, badDb, noKafka, badKafka] = await Promise.all([
      runOutboxCli(["status"], {}),
      runOutboxCli(["status"], { CHECKOUT_DATABASE_URL: "postgres://postgres:postgres@127.0.0.1:1/checkout" }),
      runOutboxCli(["dead-letters", "list"], env),
      runOutboxCli(["dead-letters", "list"], { ...env, KAFKA_BROKERS: "not a broker" }),
    ]);
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain("CHECKOUT_DATABASE_URL is required");
    expect(badDb.code).toBe(1);
    expect(badDb.stderr).toContain("ECONNREFUSED");
    expect(noKafka.code).toBe(2);
    expect(noKafka.stderr).toContain("KAFKA_BROKERS is not set");
    expect(badKafka.code).toBe(2);
    expect(badKafka.stderr).toContain("KAFKA_BROKERS must be host:port");
  });
});
