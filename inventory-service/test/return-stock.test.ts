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

/** A checkout that bought `quantity` of each product: reserved, then confirmed. */
async function sold(lines: Array<[productId: string, quantity: number]>): Promise<string> {
  const id = checkoutId();
  await h.client.reserve({ checkoutId: id, items: lines.map(([productId, quantity]) => ({ productId, quantity })) });
  await h.client.confirm({ checkoutId: id });
  return id;
}

const pairs = (lines: Array<{ productId: string; quantity: number }> | undefined) =>
  lines?.map((l) => [l.productId, l.quantity]);

/** How many units came back under one key, as the database counts them. */
async function returnedUnder(returnKey: string): Promise<number> {
  const [row] = await h.sql<{ units: number }[]>`
    select coalesce(sum(quantity), 0)::int as units from stock_return_lines where return_key = ${returnKey}`;
  return row?.units ?? 0;
}

describe("ReturnStock", () => {
  it("puts sold units back in available stock and shows them on the reservation", async () => {
    const [a, b] = [await h.addProduct(10), await h.addProduct(10)];
    const id = await sold([
      [a, 3],
      [b, 2],
    ]);
    const { stockReturn, reservation } = await h.client.returnStock({
      checkoutId: id,
      returnKey: "cancel-1",
      items: [
        { productId: a, quantity: 1 },
        { productId: a, quantity: 1 },
      ],
      reason: "customer cancelled a line",
    });
    expect(stockReturn).toMatchObject({ returnKey: "cancel-1", checkoutId: id, reason: "customer cancelled a line" });
    expect(pairs(stockReturn?.items)).toEqual([[a, 2]]);
    expect(reservation?.status).toBe(ReservationStatus.CONFIRMED);
    expect(pairs(reservation?.returned)).toEqual([[a, 2]]);
    expect(await h.stockOf(a)).toEqual({ available: 9, reserved: 0 });
    expect(await h.stockOf(b)).toEqual({ available: 8, reserved: 0 });
  });

  it("answers a retry with the same return and counts it once", async () => {
    const productId = await h.addProduct(10);
    const id = await sold([[productId, 4]]);
    const request = { checkoutId: id, returnKey: "cancel-retry", items: [{ productId, quantity: 3 }] };
    const first = await h.client.returnStock(request);
    const again = await h.client.returnStock(request);
    expect(again).toEqual(first);
    expect(await h.stockOf(productId)).toEqual({ available: 9, reserved: 0 });
    expect(await failureOf(h.client.returnStock({ ...request, items: [{ productId, quantity: 1 }] }))).toMatchObject({
      code: Code.FailedPrecondition,
      reason: "RETURN_KEY_REUSED",
    });
    expect(
      await failureOf(h.client.returnStock({ ...request, checkoutId: await sold([[productId, 1]]) })),
    ).toMatchObject({ code: Code.FailedPrecondition, reason: "RETURN_KEY_REUSED" });
  });

  it("never gives back more than was sold, across several returns, and writes nothing when refused", async () => {
    const productId = await h.addProduct(10);
    const other = await h.addProduct(10);
    const id = await sold([[productId, 3]]);
    await h.client.returnStock({ checkoutId: id, returnKey: "over-1", items: [{ productId, quantity: 2 }] });
    expect(
      await failureOf(
        h.client.returnStock({
          checkoutId: id,
          returnKey: "over-2",
          items: [
            { productId, quantity: 2 },
            { productId: other, quantity: 1 },
          ],
        }),
      ),
    ).toEqual({
      code: Code.FailedPrecondition,
      reason: "RETURN_EXCEEDS_SOLD",
      lines: [
        { productId, requested: 2, available: 1 },
        { productId: other, requested: 1, available: 0 },
      ].sort((x, y) => x.productId.localeCompare(y.productId)),
    });
    expect(await returnedUnder("over-2")).toBe(0);
    expect(await h.stockOf(productId)).toEqual({ available: 9, reserved: 0 });
    expect(await h.stockOf(other)).toEqual({ available: 10, reserved: 0 });
    await h.client.returnStock({ checkoutId: id, returnKey: "over-3", items: [{ productId, quantity: 1 }] });
    expect(await h.stockOf(productId)).toEqual({ available: 10, reserved: 0 });
  });

  it("refuses a reservation that sold nothing, and a checkout without one", async () => {
    const productId = await h.addProduct(10);
    const held = checkoutId();
    await h.client.reserve({ checkoutId: held, items: [{ productId, quantity: 2 }] });
    const request = { checkoutId: held, returnKey: "held-1", items: [{ productId, quantity: 1 }] };
    expect(await failureOf(h.client.returnStock(request))).toMatchObject({
      code: Code.FailedPrecondition,
      reason: "RESERVATION_NOT_CONFIRMED",
    });
    expect(await h.stockOf(productId)).toEqual({ available: 8, reserved: 2 });
    expect(await failureOf(h.client.returnStock({ ...request, checkoutId: checkoutId() }))).toMatchObject({
      code: Code.NotFound,
      reason: "RESERVATION_NOT_FOUND",
    });
  });

  it("counts concurrent retries of one return once", async () => {
    const productId = await h.addProduct(10);
    const id = await sold([[productId, 5]]);
    const request = { checkoutId: id, returnKey: "cancel-race", items: [{ productId, quantity: 2 }] };
    const answers = await Promise.all(Array.from({ length: 8 }, () => h.client.returnStock(request)));
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(await returnedUnder("cancel-race")).toBe(2);
    expect(await h.stockOf(productId)).toEqual({ available: 7, reserved: 0 });
  });

  it("lets concurrent returns of one line together give back at most what it sold", async () => {
    const productId = await h.addProduct(10);
    const id = await sold([[productId, 5]]);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        h.client.returnStock({ checkoutId: id, returnKey: `race-${id}-${i}`, items: [{ productId, quantity: 1 }] }),
      ),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(5);
    expect(await h.stockOf(productId)).toEqual({ available: 10, reserved: 0 });
  });
});
