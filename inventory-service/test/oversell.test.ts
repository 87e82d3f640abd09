import { ReservationStatus } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkoutId, failureOf, type InventoryHarness, startInventoryHarness } from "./inventory-harness.js";

let h: InventoryHarness;

beforeAll(async () => {
  h = await startInventoryHarness();
});

afterAll(async () => {
  await h?.stop();
});

describe("under concurrency", () => {
  it("never oversells: 100 checkouts racing for 10 units get exactly 10 reservations", async () => {
    await h.sql`update stock set available = 10, reserved = 0 where product_id = '1'`;
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, async () => {
        const call = h.client.reserve({ checkoutId: checkoutId(), items: [{ productId: "1", quantity: 1 }] });
        try {
          return { held: (await call).reservation?.status === ReservationStatus.HELD };
        } catch {
          return { held: false, failure: await failureOf(call) };
        }
      }),
    );
    expect(outcomes.filter((o) => o.held)).toHaveLength(10);
    const failures = outcomes.flatMap((o) => (o.failure ? [o.failure] : []));
    expect(failures).toHaveLength(90);
    for (const failure of failures) {
      expect(failure).toEqual({
        code: Code.FailedPrecondition,
        reason: "OUT_OF_STOCK",
        lines: [{ productId: "1", requested: 1, available: 0 }],
      });
    }
    expect(await h.stockOf("1")).toEqual({ available: 0, reserved: 10 });
    const [held] = await h.sql<{ count: number }[]>`
      select count(*)::int as count
      from reservations r join reservation_lines l on l.reservation_id = r.id
      where r.status = 'HELD' and l.product_id = '1'`;
    expect(held?.count).toBe(10);
  });

  it("refuses negative stock in the database itself", async () => {
    const productId = await h.addProduct(1);
    await expect(h.sql`update stock set available = available - 2 where product_id = ${productId}`).rejects.toThrow(
      /stock_available_not_negative/,
    );
    const [negative] = await h.sql<{ count: number }[]>`
      select count(*)::int as count from stock where available < 0 or reserved < 0`;
    expect(negative?.count).toBe(0);
  });

  it("creates one reservation when the same checkout reserves many times at once", async () => {
    const productId = await h.addProduct(100);
    const id = checkoutId();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 3 }] })),
    );
    expect(new Set(responses.map((r) => r.reservation?.reservationId)).size).toBe(1);
    expect(await h.stockOf(productId)).toEqual({ available: 97, reserved: 3 });
  });

  it("applies exactly one of a racing Confirm and Release", async () => {
    const productId = await h.addProduct(100);
    const ids = Array.from({ length: 20 }, checkoutId);
    for (const id of ids) await h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 2 }] });
    const settle = (call: Promise<unknown>) =>
      call.then(
        () => "ok",
        () => "refused",
      );
    await Promise.all(
      ids.flatMap((id) => [
        settle(h.client.confirm({ checkoutId: id })),
        settle(h.client.release({ checkoutId: id, reason: "race" })),
        settle(h.client.confirm({ checkoutId: id })),
      ]),
    );
    const rows = await h.sql<{ status: string }[]>`
      select status from reservations where checkout_id in ${h.sql(ids)}`;
    const confirmed = rows.filter((r) => r.status === "CONFIRMED").length;
    const released = rows.filter((r) => r.status === "RELEASED").length;
    expect(confirmed + released).toBe(ids.length);
    expect(await h.stockOf(productId)).toEqual({ available: 100 - 2 * confirmed, reserved: 0 });
  });
});
