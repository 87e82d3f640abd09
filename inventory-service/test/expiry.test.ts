import { ReservationStatus } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkoutId,
  eventually,
  failureOf,
  type InventoryHarness,
  startInventoryHarness,
} from "./inventory-harness.js";

const statusOf = async (h: InventoryHarness, id: string) => {
  const [row] = await h.sql<{ status: string }[]>`select status from reservations where checkout_id = ${id}`;
  return row?.status;
};

describe("the sweeper", () => {
  let h: InventoryHarness;

  beforeAll(async () => {
    h = await startInventoryHarness({ sweepIntervalMs: 20 });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it("gives back the stock of holds past their expiry and leaves the others held", async () => {
    const productId = await h.addProduct(10);
    const [short, long] = [checkoutId(), checkoutId()];
    await h.client.reserve({ checkoutId: short, items: [{ productId, quantity: 3 }], ttlSeconds: 60 });
    await h.client.reserve({ checkoutId: long, items: [{ productId, quantity: 2 }], ttlSeconds: 3_600 });
    expect(await h.stockOf(productId)).toEqual({ available: 5, reserved: 5 });

    h.clock.advance(120_000);
    await eventually(async () => expect(await h.stockOf(productId)).toEqual({ available: 8, reserved: 2 }));
    expect(await statusOf(h, short)).toBe("EXPIRED");
    expect(await statusOf(h, long)).toBe("HELD");

    expect(await failureOf(h.client.confirm({ checkoutId: short }))).toMatchObject({
      code: Code.FailedPrecondition,
      reason: "RESERVATION_EXPIRED",
    });
    // Releasing and re-reserving an expired checkout changes nothing.
    expect((await h.client.release({ checkoutId: short, reason: "compensation" })).reservation?.status).toBe(
      ReservationStatus.EXPIRED,
    );
    expect(
      (await h.client.reserve({ checkoutId: short, items: [{ productId, quantity: 3 }] })).reservation?.status,
    ).toBe(ReservationStatus.EXPIRED);
    expect(await h.stockOf(productId)).toEqual({ available: 8, reserved: 2 });
  });
});

describe("Confirm of a hold past its expiry before the sweeper ran", () => {
  let h: InventoryHarness;

  beforeAll(async () => {
    h = await startInventoryHarness();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it("expires it, gives the stock back and fails with RESERVATION_EXPIRED", async () => {
    const productId = await h.addProduct(10);
    const id = checkoutId();
    await h.client.reserve({ checkoutId: id, items: [{ productId, quantity: 4 }], ttlSeconds: 60 });
    h.clock.advance(61_000);

    expect(await failureOf(h.client.confirm({ checkoutId: id }))).toMatchObject({
      code: Code.FailedPrecondition,
      reason: "RESERVATION_EXPIRED",
    });
    expect(await statusOf(h, id)).toBe("EXPIRED");
    expect(await h.stockOf(productId)).toEqual({ available: 10, reserved: 0 });

    expect((await failureOf(h.client.confirm({ checkoutId: id }))).reason).toBe("RESERVATION_EXPIRED");
    expect(await h.stockOf(productId)).toEqual({ available: 10, reserved: 0 });
  });
});
