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

describe("GetStock", () => {
  it("starts with the seeded stock of the six catalog products", async () => {
    const { stocks } = await h.client.getStock({ productIds: ["1", "2", "3", "4", "5", "6"] });
    expect(stocks.map(({ productId, available, reserved }) => ({ productId, available, reserved }))).toEqual([
      { productId: "1", available: 50, reserved: 0 },
      { productId: "2", available: 200, reserved: 0 },
      { productId: "3", available: 100, reserved: 0 },
      { productId: "4", available: 75, reserved: 0 },
      { productId: "5", available: 150, reserved: 0 },
      { productId: "6", available: 300, reserved: 0 },
    ]);
  });

  it("omits unknown products and lists every product for an empty request", async () => {
    const productId = await h.addProduct(7);
    const { stocks } = await h.client.getStock({ productIds: [productId, "no-such-product", productId] });
    expect(stocks.map((s) => [s.productId, s.available])).toEqual([[productId, 7]]);
    const all = await h.client.getStock({});
    expect(all.stocks.map((s) => s.productId)).toEqual(expect.arrayContaining(["1", "2", "3", "4", "5", productId]));
  });
});

describe("Reserve", () => {
  it("holds stock for every line, merging duplicate lines", async () => {
    const [a, b] = [await h.addProduct(10), await h.addProduct(10)];
    const id = checkoutId();
    const { reservation } = await h.client.reserve({
      checkoutId: id,
      items: [
        { productId: b, quantity: 2 },
        { productId: a, quantity: 1 },
        { productId: b, quantity: 3 },
      ],
    });
    expect(reservation?.checkoutId).toBe(id);
    expect(reservation?.status).toBe(ReservationStatus.HELD);
    expect(reservation?.items.map((l) => [l.productId, l.quantity])).toEqual(
      [
        [a, 1],
        [b, 5],
      ].sort(([x], [y]) => String(x).localeCompare(String(y))),
    );
    expect(await h.stockOf(a)).toEqual({ available: 9, reserved: 1 });
    expect(await h.stockOf(b)).toEqual({ available: 5, reserved: 5 });
  });

  it("expires the hold after the default five minutes", async () => {
    const productId = await h.addProduct(1);
    const before = h.clock.now().getTime();
    const { reservation } = await h.client.reserve({ checkoutId: checkoutId(), items: [{ productId, quantity: 1 }] });
    const expiresAt = Number(reservation?.expiresAt?.seconds) * 1_000;
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1_000) * 1_000 + 300_000);
    expect(expiresAt).toBeLessThanOrEqual(h.clock.now().getTime() + 300_000);
  });

  it("returns the same reservation for a repeated call and moves stock once", async () => {
    const productId = await h.addProduct(10);
    const id = checkoutId();
    const first = await h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 4 }] });
    // Even with different items: the checkout's reservation is whatever the first call made.
    const again = await h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 6 }] });
    expect(again.reservation?.reservationId).toBe(first.reservation?.reservationId);
    expect(again.reservation?.items.map((l) => l.quantity)).toEqual([4]);
    expect(await h.stockOf(productId)).toEqual({ available: 6, reserved: 4 });
  });

  it("fails with OUT_OF_STOCK naming every short line and holds nothing", async () => {
    const [plenty, scarce] = [await h.addProduct(10), await h.addProduct(2)];
    const id = checkoutId();
    const failure = await failureOf(
      h.client.reserve({
        checkoutId: id,
        items: [
          { productId: plenty, quantity: 5 },
          { productId: scarce, quantity: 3 },
          { productId: "no-such-product", quantity: 1 },
        ],
      }),
    );
    expect(failure.code).toBe(Code.FailedPrecondition);
    expect(failure.reason).toBe("OUT_OF_STOCK");
    expect(failure.lines).toEqual(
      expect.arrayContaining([
        { productId: scarce, requested: 3, available: 2 },
        { productId: "no-such-product", requested: 1, available: 0 },
      ]),
    );
    expect(failure.lines).toHaveLength(2);
    expect(await h.stockOf(plenty)).toEqual({ available: 10, reserved: 0 });
    expect(await h.stockOf(scarce)).toEqual({ available: 2, reserved: 0 });
    const recorded = await h.sql`select 1 from reservations where checkout_id = ${id}`;
    expect(recorded).toHaveLength(0);
  });

  it("lets a checkout reserve after an out-of-stock attempt once stock is back", async () => {
    const productId = await h.addProduct(1);
    const id = checkoutId();
    expect((await failureOf(h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 2 }] }))).reason).toBe(
      "OUT_OF_STOCK",
    );
    await h.sql`update stock set available = 2 where product_id = ${productId}`;
    const { reservation } = await h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 2 }] });
    expect(reservation?.status).toBe(ReservationStatus.HELD);
    expect(await h.stockOf(productId)).toEqual({ available: 0, reserved: 2 });
  });

  it.each([
    ["no checkout id", { checkoutId: "", items: [{ productId: "1", quantity: 1 }] }, "INVALID_ARGUMENT"],
    ["no items", { checkoutId: "co", items: [] }, "INVALID_ARGUMENT"],
    ["quantity 0", { checkoutId: "co", items: [{ productId: "1", quantity: 0 }] }, "INVALID_ARGUMENT"],
    ["quantity 1000", { checkoutId: "co", items: [{ productId: "1", quantity: 1_000 }] }, "INVALID_ARGUMENT"],
    [
      "a ttl above 62 days",
      { checkoutId: "co", items: [{ productId: "1", quantity: 1 }], ttlSeconds: 5_356_801 },
      "INVALID_ARGUMENT",
    ],
  ])("rejects %s as an invalid argument", async (_, request, reason) => {
    const failure = await failureOf(h.client.reserve(request));
    expect(failure).toMatchObject({ code: Code.InvalidArgument, reason });
  });
});

describe("Confirm", () => {
  it("turns held stock into sold stock, once", async () => {
    const productId = await h.addProduct(10);
    const id = checkoutId();
    const { reservation: held } = await h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 3 }] });
    const { reservation } = await h.client.confirm({ checkoutId: id });
    expect(reservation?.status).toBe(ReservationStatus.CONFIRMED);
    expect(reservation?.reservationId).toBe(held?.reservationId);
    expect(await h.stockOf(productId)).toEqual({ available: 7, reserved: 0 });

    const again = await h.client.confirm({ checkoutId: id });
    expect(again.reservation?.status).toBe(ReservationStatus.CONFIRMED);
    expect(await h.stockOf(productId)).toEqual({ available: 7, reserved: 0 });
  });

  it("fails with RESERVATION_NOT_FOUND for a checkout without a reservation", async () => {
    expect(await failureOf(h.client.confirm({ checkoutId: checkoutId() }))).toMatchObject({
      code: Code.NotFound,
      reason: "RESERVATION_NOT_FOUND",
    });
  });

  it("fails with RESERVATION_RELEASED after a release and moves no stock", async () => {
    const productId = await h.addProduct(5);
    const id = checkoutId();
    await h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 2 }] });
    await h.client.release({ checkoutId: id, reason: "payment declined" });
    expect(await failureOf(h.client.confirm({ checkoutId: id }))).toMatchObject({
      code: Code.FailedPrecondition,
      reason: "RESERVATION_RELEASED",
    });
    expect(await h.stockOf(productId)).toEqual({ available: 5, reserved: 0 });
  });
});

describe("Release", () => {
  it("gives held stock back, once, and records why", async () => {
    const productId = await h.addProduct(10);
    const id = checkoutId();
    await h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 4 }] });
    const { reservation } = await h.client.release({ checkoutId: id, reason: "payment declined" });
    expect(reservation?.status).toBe(ReservationStatus.RELEASED);
    expect(await h.stockOf(productId)).toEqual({ available: 10, reserved: 0 });

    const again = await h.client.release({ checkoutId: id, reason: "retried compensation" });
    expect(again.reservation?.status).toBe(ReservationStatus.RELEASED);
    expect(await h.stockOf(productId)).toEqual({ available: 10, reserved: 0 });
    const [row] = await h.sql<{ release_reason: string }[]>`
      select release_reason from reservations where checkout_id = ${id}`;
    expect(row?.release_reason).toBe("payment declined");
  });

  it("records a release for a checkout that never reserved, so a late Reserve holds nothing", async () => {
    const productId = await h.addProduct(10);
    const id = checkoutId();
    const response = await h.client.release({ checkoutId: id, reason: "compensation" });
    expect(response.reservation?.status).toBe(ReservationStatus.RELEASED);
    expect(response.reservation?.items).toEqual([]);
    const late = await h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 4 }] });
    expect(late.reservation?.status).toBe(ReservationStatus.RELEASED);
    expect(await h.stockOf(productId)).toEqual({ available: 10, reserved: 0 });
  });

  it("refuses to release sold stock with RESERVATION_CONFIRMED", async () => {
    const productId = await h.addProduct(10);
    const id = checkoutId();
    await h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 4 }] });
    await h.client.confirm({ checkoutId: id });
    expect(await failureOf(h.client.release({ checkoutId: id, reason: "too late" }))).toMatchObject({
      code: Code.FailedPrecondition,
      reason: "RESERVATION_CONFIRMED",
    });
    expect(await h.stockOf(productId)).toEqual({ available: 6, reserved: 0 });
  });

  it("leaves a released checkout released when Reserve is retried", async () => {
    const productId = await h.addProduct(10);
    const id = checkoutId();
    await h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 4 }] });
    await h.client.release({ checkoutId: id, reason: "cancelled" });
    const { reservation } = await h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 4 }] });
    expect(reservation?.status).toBe(ReservationStatus.RELEASED);
    expect(await h.stockOf(productId)).toEqual({ available: 10, reserved: 0 });
  });
});
