import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OutboxMessage, outboxInsertFor, type Sql, writeOutboxMessage } from "../src/index.js";
import { createOutboxDatabase } from "./outbox-database.js";

let sql: Sql;

beforeAll(async () => {
  ({ sql } = await createOutboxDatabase("outbox_writer"));
});

afterAll(async () => {
  await sql?.end();
});

const message = (over: Partial<OutboxMessage> = {}): OutboxMessage => ({
  eventId: randomUUID(),
  aggregateId: randomUUID(),
  eventType: "OrderCancelled",
  topic: "order-events",
  key: "user-1",
  payload: new Uint8Array([10, 1, 2]),
  headers: { "event-id": "e", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
  ...over,
});

const rowsOf = (eventId: string) =>
  sql<
    {
      aggregate_id: string;
      event_type: string;
      topic: string;
      message_key: string;
      payload: Buffer;
      headers: object;
      published_at: Date | null;
    }[]
  >`
    select aggregate_id, event_type, topic, message_key, payload, headers, published_at from outbox where event_id = ${eventId}`;

describe("outbox writer", () => {
  it("writes the message as one pending row, committed with the caller's transaction", async () => {
    const m = message();
    await sql.begin((tx) => writeOutboxMessage(tx, m));
    const [row] = await rowsOf(m.eventId);
    expect(row).toEqual({
      aggregate_id: m.aggregateId,
      event_type: "OrderCancelled",
      topic: "order-events",
      message_key: "user-1",
      payload: Buffer.from([10, 1, 2]),
      headers: m.headers,
      published_at: null,
    });
  });

  it("leaves nothing when the caller's transaction rolls back", async () => {
    const m = message();
    await expect(
      sql.begin(async (tx) => {
        await writeOutboxMessage(tx, m);
        throw new Error("the state change failed");
      }),
    ).rejects.toThrow("the state change failed");
    expect(await rowsOf(m.eventId)).toEqual([]);
  });

  it("refuses a second row with the same event id", async () => {
    const m = message();
    await sql.begin((tx) => writeOutboxMessage(tx, m));
    await expect(sql.begin((tx) => writeOutboxMessage(tx, message({ eventId: m.eventId })))).rejects.toThrow(
      /outbox_event_id_unique/,
    );
  });

  it("writes the same row inside one statement, only when the change it announces happened", async () => {
    const announced = message();
    const [happened] = await sql<{ n: number }[]>`
      with moved as (select 1 as n), announced as (${outboxInsertFor(sql, "moved", announced)})
      select count(*)::int as n from moved`;
    expect(happened?.n).toBe(1);
    expect(await rowsOf(announced.eventId)).toEqual([
      expect.objectContaining({
        event_type: "OrderCancelled",
        payload: Buffer.from([10, 1, 2]),
        headers: announced.headers,
      }),
    ]);

    const silent = message();
    await sql`
      with moved as (select 1 as n where false), announced as (${outboxInsertFor(sql, "moved", silent)})
      select count(*) from moved`;
    expect(await rowsOf(silent.eventId)).toEqual([]);
  });
});
