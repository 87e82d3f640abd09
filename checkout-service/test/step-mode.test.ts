import { CheckoutStatus } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeWorld } from "./fake-downstream.js";
import { checkoutRequest, startCheckoutOnFakes } from "./support.js";

const world = createFakeWorld();
let checkout: Awaited<ReturnType<typeof startCheckoutOnFakes>>;

beforeAll(async () => {
  checkout = await startCheckoutOnFakes(world, "checkout_step", {
    SAGA_STEP_MODE: "true",
    CHECKOUT_RECOVERY_GRACE_MS: "0",
  });
});

afterAll(async () => {
  await checkout?.stop();
});

describe("step mode", () => {
  it("walks a checkout one transition per AdvanceCheckout", async () => {
    world.carts.set("walker", [{ productId: "2", quantity: 1 }]);
    const started = await checkout.client.initiateCheckout(checkoutRequest("walker", "walk", { stepMode: true }));
    expect(started.checkout?.status).toBe(CheckoutStatus.INITIATED);
    expect(started.checkout?.stepMode).toBe(true);
    const id = started.checkout!.checkoutId;
    expect(world.callsOf("reserve", id)).toHaveLength(0);

    const seen: CheckoutStatus[] = [];
    for (let i = 0; i < 6; i++) {
      const { checkout: c } = await checkout.client.advanceCheckout({ checkoutId: id });
      seen.push(c!.status);
    }
    expect(seen).toEqual([
      CheckoutStatus.LINES_CLAIMED,
      CheckoutStatus.POINTS_REDEEMED,
      CheckoutStatus.INVENTORY_RESERVED,
      CheckoutStatus.PAYMENT_PENDING,
      CheckoutStatus.PAYMENT_COMPLETED,
      CheckoutStatus.COMPLETED,
    ]);
    expect(world.calls.filter((c) => c.checkoutId === id).map((c) => c.method)).toEqual([
      "claimCartLines",
      "reserve",
      "charge",
      "confirm",
    ]);

    const { checkout: done } = await checkout.client.getCheckout({ checkoutId: id, userId: "walker" });
    expect(done?.history.map((t) => t.to)).toEqual([
      CheckoutStatus.INITIATED,
      CheckoutStatus.LINES_CLAIMED,
      CheckoutStatus.POINTS_REDEEMED,
      CheckoutStatus.INVENTORY_RESERVED,
      CheckoutStatus.PAYMENT_PENDING,
      CheckoutStatus.PAYMENT_COMPLETED,
      CheckoutStatus.COMPLETED,
    ]);
    expect(done?.history.every((t) => t.reason !== "" && t.at !== undefined)).toBe(true);

    // A finished checkout comes back unchanged; the key replays the first (INITIATED) answer.
    const again = await checkout.client.advanceCheckout({ checkoutId: id });
    expect(again.checkout?.status).toBe(CheckoutStatus.COMPLETED);
    const replay = await checkout.client.initiateCheckout(checkoutRequest("walker", "walk", { stepMode: true }));
    expect([replay.replayed, replay.checkout?.status]).toEqual([true, CheckoutStatus.INITIATED]);
  });

  it("is left alone by recovery while it waits for AdvanceCheckout", async () => {
    world.carts.set("pauser", [{ productId: "1", quantity: 1 }]);
    const { checkout: c } = await checkout.client.initiateCheckout(
      checkoutRequest("pauser", "pause", { stepMode: true }),
    );
    await new Promise((r) => setTimeout(r, 600)); // three recovery intervals
    const { checkout: still } = await checkout.client.getCheckout({ checkoutId: c!.checkoutId });
    expect(still?.status).toBe(CheckoutStatus.INITIATED);
  });
});
