import { createOutboxSignal, createPostgres, decodeEnvelope, type Sql } from "@checkout-saga/shared";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderDraft } from "../src/domain/order.js";
import type { OrderStore } from "../src/domain/order-store.js";
import { migrateOrdersDatabase } from "../src/store/migrate-orders-database.js";
import { createPostgresOrderStore } from "../src/store/postgres-order-store.js";

let sql: Sql;
let store: OrderStore;
let rung = 0;

beforeAll(async () => {
  const url = await createTestDatabase("orders_store");
  await migrateOrdersDatabase(url);
  sql = createPostgres(url, { max: 4 });
  const outboxSignal = createOutboxSignal();
  store = createPostgresOrderStore(sql, {
    outboxSignal: {
      ...outboxSignal,
      notify: () => {
        rung++;
        outboxSignal.notify();
      },
    },
  });
});

afterAll(async () => {
  await sql?.end();
});

function buildDraft(overrides: Partial<OrderDraft> = {}): OrderDraft {
  const checkoutId = `chk-${Math.random().toString(36).slice(2)}`;
  return {
    checkoutId,
    userId: "alice",
    total: { currency: "USD", amountMinor: 2999 },
    lines: [{ productId: "2", name: "Mouse", quantity: 1, unitPrice: { currency: "USD", amountMinor: 2999 } }],
    shippingAddress: {
      name: "Alice",
      phone: "+1 555 0100",
      postalCode: "94105",
      region: "CA",
      city: "San Francisco",
      line1: "1 Market St",
      line2: "",
      country: "US",
    },
    paymentId: "pay-1",
    sourceEventId: `evt-${checkoutId}`,
    ...overrides,
  };
}

/** The order's outbox rows, oldest first, with their decoded events. */
async function outboxOf(orderId: string) {
  const rows = await sql<{ topic: string; message_key: string; event_type: string; payload: Buffer }[]>`
    select topic, message_key, event_type, payload from outbox where aggregate_id = ${orderId} order by id`;
  return rows.map((r) => {
    const e = decodeEnvelope(new Uint8Array(r.payload));
    return {
      topic: r.topic,
      key: r.message_key,
      type: r.event_type,
      change: e.payload.case === "orderStatusChanged" ? `${e.payload.value.from}>${e.payload.value.to}` : undefined,
    };
  });
}

describe("PostgreSQL order store: status history and outbox", () => {
  it("places an order with its first history entry and its event, once per checkout", async () => {
    const draft = buildDraft({ userId: "bob" });
    const before = rung;
    const { orderId } = await store.place(draft);
    expect(await store.place(draft)).toEqual({ orderId, created: false });

    const order = await store.get(orderId);
    expect(order?.statusHistory).toEqual([
      { to: "CONFIRMED", reason: "checkout completed", actor: "service:orders-service", at: expect.any(Date) },
    ]);
    expect(order?.lines.map((l) => l.cancelledQuantity)).toEqual([0]);
    expect(order?.cancellations).toEqual([]);
    expect(await outboxOf(orderId)).toEqual([
      { topic: "order-events", key: "bob", type: "OrderStatusChanged", change: ">CONFIRMED" },
    ]);
    expect(rung).toBe(before + 1);
  });

  it("moves an order with its history entry and its event", async () => {
    const { orderId } = await store.place(buildDraft());
    const shipped = await store.move(orderId, "ship", { actor: "user:ops", reason: "DHL 1" });
    expect(shipped?.status).toBe("SHIPPED");
    expect(shipped?.statusHistory.at(-1)).toEqual({
      from: "CONFIRMED",
      to: "SHIPPED",
      reason: "DHL 1",
      actor: "user:ops",
      at: shipped?.updatedAt,
    });
    expect((await outboxOf(orderId)).map((r) => r.change)).toEqual([">CONFIRMED", "CONFIRMED>SHIPPED"]);
  });

  it("writes nothing when the move is refused, or when its event cannot be written", async () => {
    const { orderId } = await store.place(buildDraft());
    await expect(store.move(orderId, "deliver", { actor: "user:ops" })).rejects.toMatchObject({
      reason: "ORDER_NOT_DELIVERABLE",
    });

    // The outbox refuses this order's next row: the status change and its history roll back with it.
    await sql.unsafe(`
      create function refuse_outbox() returns trigger language plpgsql as $$
      begin
        if new.aggregate_id = '${orderId}' then raise exception 'outbox unavailable'; end if;
        return new;
      end $$;
      create trigger refuse_outbox before insert on outbox for each row execute function refuse_outbox();`);
    try {
      await expect(store.move(orderId, "ship", { actor: "user:ops" })).rejects.toThrow(/outbox unavailable/);
    } finally {
      await sql.unsafe("drop trigger refuse_outbox on outbox; drop function refuse_outbox()");
    }

    const order = await store.get(orderId);
    expect(order?.status).toBe("CONFIRMED");
    expect(order?.statusHistory.map((h) => h.to)).toEqual(["CONFIRMED"]);
    expect((await outboxOf(orderId)).map((r) => r.change)).toEqual([">CONFIRMED"]);
  });

  it("lets one of two concurrent ships make the change", async () => {
    const { orderId } = await store.place(buildDraft());
    await Promise.all([1, 2, 3].map(() => store.move(orderId, "ship", { actor: "user:ops" })));
    expect((await store.get(orderId))?.statusHistory.map((h) => h.to)).toEqual(["CONFIRMED", "SHIPPED"]);
    expect(await outboxOf(orderId)).toHaveLength(2);
  });

  it("tells whether an order exists", async () => {
    const { orderId } = await store.place(buildDraft());
    expect(await store.exists(orderId)).toBe(true);
    expect(await store.exists("6f1c7f2e-0000-4000-8000-000000000000")).toBe(false);
  });

  it("reports an unknown order as undefined", async () => {
    expect(await store.move("6f1c7f2e-0000-4000-8000-000000000000", "ship", { actor: "user:ops" })).toBeUndefined();
  });
});
