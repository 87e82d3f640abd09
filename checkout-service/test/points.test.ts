import { errorDetail, fromTotalsProto } from "@checkout-saga/shared";
import { CheckoutStatus } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeWorld } from "./fake-downstream.js";
import { checkoutRequest, startCheckoutOnFakes } from "./support.js";

/**
 * Points over RPC (issue #15): the checkout service on PostgreSQL, its points client against a
 * ledger that answers as points.proto says. A JPY Keyboard costs ¥13,200; a card order of it
 * earned 132 points.
 */

const world = createFakeWorld();
let checkout: Awaited<ReturnType<typeof startCheckoutOnFakes>>;
let userSeq = 0;

/** A user holding `points`, with one Keyboard in a JPY cart. */
function keyboardBuyer(points = 132) {
  const userId = `points-${++userSeq}`;
  world.carts.set(userId, [{ productId: "3", quantity: 1 }]);
  world.cartCurrencies.set(userId, "JPY");
  world.points.set(userId, points);
  return userId;
}

beforeAll(async () => {
  checkout = await startCheckoutOnFakes(world, "checkout_points");
});

afterAll(async () => {
  await checkout?.stop();
});

describe("redeeming points at checkout", () => {
  it("redeems 100 of 132 points and charges ¥13,100; the totals show both", async () => {
    const userId = keyboardBuyer();
    const { checkout: c } = await checkout.client.initiateCheckout(checkoutRequest(userId, "k", { points: 100 }));
    expect(c?.status).toBe(CheckoutStatus.COMPLETED);
    expect(world.points.get(userId)).toBe(32);
    expect(world.payments.get(c!.checkoutId)?.amountMinor).toBe(13_100n);
    expect(fromTotalsProto(c!.totals!)).toMatchObject({
      subtotal: { currency: "JPY", amountMinor: 13_200 },
      pointsRedeemed: { currency: "JPY", amountMinor: 100 },
      total: { currency: "JPY", amountMinor: 13_100 },
    });
    expect(c?.history.map((t) => t.to)).toContain(CheckoutStatus.POINTS_REDEEMED);
  });

  it("a declined card gives the 50 points back", async () => {
    const userId = keyboardBuyer();
    const request = checkoutRequest(userId, "k", { points: 50, token: "tok_chargeDeclined" });
    const { checkout: c } = await checkout.client.initiateCheckout(request);
    expect([c?.status, c?.failure?.code]).toEqual([CheckoutStatus.FAILED, "PAYMENT_DECLINED"]);
    expect(world.points.get(userId)).toBe(132);
    expect(world.callsOf("returnPoints", c!.checkoutId)).toHaveLength(1);
  });

  it("more points than the balance: FAILED POINTS_INSUFFICIENT with the balance, nothing reserved, replayed", async () => {
    const userId = keyboardBuyer(40);
    const request = checkoutRequest(userId, "k", { points: 100 });
    const { checkout: c } = await checkout.client.initiateCheckout(request);
    expect(c?.status).toBe(CheckoutStatus.FAILED);
    expect(c?.failure).toMatchObject({ code: "POINTS_INSUFFICIENT", pointsBalance: 40n });
    expect(world.callsOf("reserve", c!.checkoutId)).toHaveLength(0);
    expect(world.points.get(userId)).toBe(40);
    const replay = await checkout.client.initiateCheckout(request);
    expect([replay.replayed, replay.checkout?.failure?.code]).toEqual([true, "POINTS_INSUFFICIENT"]);
  });

  it("points that pay it all: no payment, COMPLETED", async () => {
    const userId = keyboardBuyer(13_200);
    const { checkout: c } = await checkout.client.initiateCheckout(checkoutRequest(userId, "k", { points: 13_200 }));
    expect(c?.status).toBe(CheckoutStatus.COMPLETED);
    expect([c?.paymentId, world.callsOf("charge", c!.checkoutId)]).toEqual(["", []]);
    expect(world.points.get(userId)).toBe(0);
  });

  it.each([
    ["more than the total", "JPY", 13_201, "POINTS_EXCEED_TOTAL"],
    ["on a USD cart", "USD", 1, "POINTS_CURRENCY_UNSUPPORTED"],
  ])("refuses points %s before anything is written", async (_name, currency, points, reason) => {
    const userId = keyboardBuyer(20_000);
    world.cartCurrencies.set(userId, currency);
    const callsBefore = world.calls.length;
    const refused = await checkout.client
      .initiateCheckout(checkoutRequest(userId, "k", { points }))
      .then(() => undefined, errorDetail);
    expect(refused?.reason).toBe(reason);
    expect(world.calls).toHaveLength(callsBefore);
  });

  it("a konbini rest below ¥120 is refused before anything is written", async () => {
    const userId = keyboardBuyer();
    const request = checkoutRequest(userId, "k", { points: 13_100 });
    request.paymentMethod = { ...request.paymentMethod!, type: "konbini", token: "" };
    const callsBefore = world.calls.length;
    const refused = await checkout.client.initiateCheckout(request).then(() => undefined, errorDetail);
    expect(refused?.reason).toBe("KONBINI_AMOUNT_OUT_OF_RANGE");
    expect(world.calls).toHaveLength(callsBefore);
  });
});
