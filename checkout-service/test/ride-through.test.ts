import { CheckoutStatus } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeWorld } from "./fake-downstream.js";
import { checkoutRequest, startCheckoutOnFakes } from "./support.js";

/**
 * A downstream restart shorter than a step's deadline is ridden through; one longer fails the
 * checkout with STEP_FAILED (REST 503 + Retry-After), and the same key then starts a fresh
 * attempt linked to the failed one instead of replaying the failure (issue #17).
 */
const world = createFakeWorld();
let checkout: Awaited<ReturnType<typeof startCheckoutOnFakes>>;

beforeAll(async () => {
  // About four tries fit in the deadline; recovery stays out of the way.
  checkout = await startCheckoutOnFakes(world, "checkout_ride_through", {
    CHECKOUT_RESERVE_DEADLINE_MS: "1500",
    CHECKOUT_RECOVERY_GRACE_MS: "3600000",
  });
});

afterAll(async () => {
  await checkout?.stop();
});

describe("riding through a downstream restart", () => {
  it("retries a reserve that fails for a moment and completes", async () => {
    world.carts.set("blip", [{ productId: "2", quantity: 1 }]);
    world.faults.reserveUnavailableFor = 2;
    const { checkout: c } = await checkout.client.initiateCheckout(checkoutRequest("blip", "blip-1"));
    expect(c?.status).toBe(CheckoutStatus.COMPLETED);
    expect(world.callsOf("reserve", c?.checkoutId)).toHaveLength(3);
  });

  it("retries a charge that fails for a moment within the request and completes (not 202)", async () => {
    world.carts.set("charge-blip", [{ productId: "2", quantity: 1 }]);
    world.faults.chargeUnavailableFor = 3;
    const { checkout: c } = await checkout.client.initiateCheckout(checkoutRequest("charge-blip", "charge-blip-1"));
    expect(c?.status).toBe(CheckoutStatus.COMPLETED);
    expect(world.callsOf("charge", c?.checkoutId)).toHaveLength(4);
  });

  it("after a failure for a passing reason, the same key starts a fresh attempt linked to the failed one", async () => {
    world.carts.set("outage", [{ productId: "2", quantity: 1 }]);
    world.faults.reserveUnavailableFor = 1_000;
    const first = await checkout.client.initiateCheckout(checkoutRequest("outage", "outage-1"));
    expect([first.checkout?.status, first.checkout?.failure?.code]).toEqual([CheckoutStatus.FAILED, "STEP_FAILED"]);
    const failedId = first.checkout!.checkoutId;

    world.faults.reserveUnavailableFor = 0;
    const second = await checkout.client.initiateCheckout(checkoutRequest("outage", "outage-1"));
    expect(second.replayed).toBe(false);
    expect(second.checkout?.status).toBe(CheckoutStatus.COMPLETED);
    const retryId = second.checkout!.checkoutId;
    expect(retryId).not.toBe(failedId);
    const { checkout: retried } = await checkout.client.getCheckout({ checkoutId: retryId });
    expect(retried?.history[0]?.reason).toContain(failedId);

    // The key now belongs to the attempt that succeeded: it replays that one.
    const third = await checkout.client.initiateCheckout(checkoutRequest("outage", "outage-1"));
    expect([third.replayed, third.checkout?.checkoutId]).toEqual([true, retryId]);
  });

  it("every other outcome replays as stored: a declined payment is not retried", async () => {
    world.carts.set("declined", [{ productId: "2", quantity: 1 }]);
    const request = checkoutRequest("declined", "declined-1", { token: "tok_chargeDeclined" });
    const first = await checkout.client.initiateCheckout(request);
    expect(first.checkout?.failure?.code).toBe("PAYMENT_DECLINED");
    const again = await checkout.client.initiateCheckout(request);
    expect([again.replayed, again.checkout?.checkoutId]).toEqual([true, first.checkout?.checkoutId]);
  });
});
