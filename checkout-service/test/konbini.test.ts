import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { createServiceClient, createServiceTransport } from "@checkout-saga/shared";
import {
  CheckoutStatus,
  InitiateCheckoutRequestSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { PaymentService, PaymentStatus } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRealDownstream } from "./real-downstream.js";
import { ADDRESS, eventually, startCheckout } from "./support.js";

/**
 * Konbini end to end at the checkout service, on the real cart, inventory and payment services
 * (carts in yen, priced by the real catalog): the saga waits in PAYMENT_PENDING with the voucher, and a
 * payment notification (what the gateway passes on from a verified webhook) or recovery past the
 * deadline settles it.
 */
const LAPTOP = "1";
const MOUSE = "2";
/** The seed catalog's yen price of a mouse. */
const YEN = 4_480;

const konbiniRequest = (userId: string, key: string, store?: string) =>
  create(InitiateCheckoutRequestSchema, {
    userId,
    idempotencyKey: key,
    paymentMethod: { type: "konbini", ...(store ? { store } : {}) },
    shippingAddress: ADDRESS,
  });

async function startWorld(paymentEnv: Record<string, string>, checkoutEnv: Record<string, string>) {
  const downstream = await startRealDownstream({ payment: paymentEnv });
  const databaseUrl = await createTestDatabase("checkout_konbini");
  const checkout = await startCheckout({
    databaseUrl,
    env: { ...downstream.checkoutEnv, ...checkoutEnv },
  });
  const payments = createServiceClient(PaymentService, createServiceTransport(downstream.urls.payment));
  const db = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  return {
    downstream,
    checkout,
    payments,
    db,
    databaseUrl,
    async stop() {
      await checkout.service.stop();
      await db.end();
      await downstream.stop();
    },
  };
}

describe("konbini paid", () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  beforeAll(async () => {
    world = await startWorld({}, {});
    await world.downstream.setStock(MOUSE, 10);
  });
  afterAll(() => world?.stop());

  it("waits PAYMENT_PENDING with the voucher, replays it, and completes when the payment notification comes", async () => {
    const userId = `u-${randomUUID()}`;
    await world.downstream.fillCart(userId, MOUSE, 2, "JPY");
    const first = await world.checkout.client.initiateCheckout(konbiniRequest(userId, "k1", "lawson"));
    const c = first.checkout!;
    expect(c.status).toBe(CheckoutStatus.PAYMENT_PENDING);
    expect(c.total).toMatchObject({ currency: "JPY", amountMinor: BigInt(2 * YEN) });
    expect(c.nextAction?.type).toBe("konbini_display_details");
    const voucher = c.nextAction!.konbini!;
    expect(voucher.confirmationNumber).toMatch(/^[1-9]\d{10}$/);
    expect(voucher.store).toBe("lawson");
    // The payment deadline is the voucher's expiry plus the margin, not the card's.
    const expiresAt = Number(voucher.expiresAt!.seconds) * 1_000;
    expect(expiresAt).toBeGreaterThan(Date.now() + 2 * 24 * 3_600_000);
    expect(Number(c.paymentDeadline!.seconds) * 1_000).toBeGreaterThan(expiresAt);
    // The stock is held at least as long as the voucher may be paid.
    expect(await world.downstream.stockOf(MOUSE)).toEqual({ available: 8, reserved: 2 });
    const [hold] = await world.downstream.inventoryDb<{ expires_at: Date }[]>`
      select expires_at from reservations where checkout_id = ${c.checkoutId}`;
    expect(hold!.expires_at.getTime()).toBeGreaterThanOrEqual(expiresAt);

    const replay = await world.checkout.client.initiateCheckout(konbiniRequest(userId, "k1", "lawson"));
    expect(replay.replayed).toBe(true);
    expect(replay.checkout?.status).toBe(CheckoutStatus.PAYMENT_PENDING);
    expect(replay.checkout?.nextAction?.konbini?.confirmationNumber).toBe(voucher.confirmationNumber);

    // The customer pays at the till; the gateway passes on the provider's webhook.
    const paid = await world.payments.payKonbini({ confirmationNumber: voucher.confirmationNumber });
    expect(paid.payment?.status).toBe(PaymentStatus.SUCCEEDED);
    const notification = {
      webhookId: `msg_${randomUUID()}`,
      type: "payment.succeeded",
      paymentId: c.paymentId,
      checkoutId: c.checkoutId,
    };
    const recorded = await world.checkout.client.recordPaymentNotification(notification);
    expect(recorded.firstDelivery).toBe(true);
    expect(recorded.checkout?.status).toBe(CheckoutStatus.COMPLETED);
    expect(recorded.checkout?.nextAction).toBeUndefined();
    expect(await world.downstream.effectsOf(c.checkoutId)).toEqual({
      reservations: ["CONFIRMED"],
      payments: ["SUCCEEDED"],
    });
    const event = await eventually("CheckoutCompleted", async () =>
      world.checkout.received.find((e) => e.aggregateId === c.checkoutId),
    );
    expect(event.type).toBe("CheckoutCompleted");

    // The same webhook again: recognised, nothing done twice.
    const again = await world.checkout.client.recordPaymentNotification(notification);
    expect(again.firstDelivery).toBe(false);
    expect(again.checkout?.status).toBe(CheckoutStatus.COMPLETED);
    const [{ count }] = (await world.db`
      select count(*)::int as count from checkout_transitions where checkout_id = ${c.checkoutId}`) as [
      { count: number },
    ];
    const history = (await world.checkout.client.getCheckout({ checkoutId: c.checkoutId })).checkout!.history;
    expect(history).toHaveLength(count);
    expect(history.filter((t) => t.to === CheckoutStatus.COMPLETED)).toHaveLength(1);
  });

  it("refuses konbini for a total it does not take, before anything is reserved", async () => {
    const userId = `u-${randomUUID()}`;
    // 2 × ¥200,000 = ¥400,000: above konbini's ¥300,000.
    await world.downstream.fillCart(userId, LAPTOP, 2, "JPY");
    const before = await world.downstream.stockOf(LAPTOP);
    await expect(world.checkout.client.initiateCheckout(konbiniRequest(userId, "big"))).rejects.toThrow(
      /konbini takes totals/,
    );
    expect(await world.downstream.stockOf(LAPTOP)).toEqual(before);
  });

  it("refunds a payment that succeeds after its checkout already failed", async () => {
    const userId = `u-${randomUUID()}`;
    await world.downstream.fillCart(userId, MOUSE, 1, "JPY");
    const c = (await world.checkout.client.initiateCheckout(konbiniRequest(userId, "late"))).checkout!;
    expect(c.status).toBe(CheckoutStatus.PAYMENT_PENDING);
    await world.payments.payKonbini({ confirmationNumber: c.nextAction!.konbini!.confirmationNumber });
    // As if the checkout had given up on the payment just before the customer paid.
    await world.db`update checkout_sessions set status = 'FAILED' where id = ${c.checkoutId}`;
    const recorded = await world.checkout.client.recordPaymentNotification({
      webhookId: `msg_${randomUUID()}`,
      type: "payment.succeeded",
      paymentId: c.paymentId,
      checkoutId: c.checkoutId,
    });
    expect(recorded.checkout?.status).toBe(CheckoutStatus.FAILED);
    const payment = await world.payments.getPayment({ paymentId: c.paymentId });
    expect(payment.payment?.status).toBe(PaymentStatus.REFUNDED);
  });

  it("answers a notification for an unknown checkout, doing nothing", async () => {
    const recorded = await world.checkout.client.recordPaymentNotification({
      webhookId: `msg_${randomUUID()}`,
      type: "payment.succeeded",
      paymentId: "pay_unknown",
      checkoutId: randomUUID(),
    });
    expect(recorded).toMatchObject({ firstDelivery: true, ignored: true });
  });
});

describe("konbini expired", () => {
  let world: Awaited<ReturnType<typeof startWorld>>;
  beforeAll(async () => {
    // A voucher that lasts 2 s, and a deadline 1 s after it: recovery settles it without any notification.
    world = await startWorld(
      { KONBINI_EXPIRES_AFTER_SECONDS: "2", KONBINI_EXPIRY_SWEEP_INTERVAL_MS: "60000" },
      { KONBINI_EXPIRES_AFTER_SECONDS: "2", CHECKOUT_PAYMENT_MARGIN_SECONDS: "1", CHECKOUT_RECOVERY_GRACE_MS: "0" },
    );
    await world.downstream.setStock(MOUSE, 10);
  });
  afterAll(() => world?.stop());

  it("gives the stock back and fails PAYMENT_EXPIRED once the deadline passes unpaid", async () => {
    const userId = `u-${randomUUID()}`;
    await world.downstream.fillCart(userId, MOUSE, 3, "JPY");
    const c = (await world.checkout.client.initiateCheckout(konbiniRequest(userId, "exp"))).checkout!;
    expect(c.status).toBe(CheckoutStatus.PAYMENT_PENDING);
    expect(await world.downstream.stockOf(MOUSE)).toEqual({ available: 7, reserved: 3 });

    const failed = await eventually(
      "the checkout to fail",
      async () => {
        const now = (await world.checkout.client.getCheckout({ checkoutId: c.checkoutId })).checkout!;
        return now.status === CheckoutStatus.FAILED ? now : undefined;
      },
      15_000,
    );
    expect(failed.failure?.code).toBe("PAYMENT_EXPIRED");
    expect(await world.downstream.stockOf(MOUSE)).toEqual({ available: 10, reserved: 0 });
    expect((await world.downstream.effectsOf(c.checkoutId)).payments).toEqual(["EXPIRED"]);
    const event = await eventually("CheckoutFailed", async () =>
      world.checkout.received.find((e) => e.aggregateId === c.checkoutId),
    );
    expect(event.type).toBe("CheckoutFailed");

    // The provider's payment.expired arriving late changes nothing.
    const late = await world.checkout.client.recordPaymentNotification({
      webhookId: `msg_${randomUUID()}`,
      type: "payment.expired",
      paymentId: c.paymentId,
      checkoutId: c.checkoutId,
    });
    expect(late.checkout?.status).toBe(CheckoutStatus.FAILED);
  });

  it("settles at once when the payment.expired notification comes", async () => {
    const userId = `u-${randomUUID()}`;
    await world.downstream.fillCart(userId, MOUSE, 1, "JPY");
    // Recovery must not beat the notification: its deadline is 3 s away; the voucher expires in 2 s.
    const c = (await world.checkout.client.initiateCheckout(konbiniRequest(userId, "exp2"))).checkout!;
    const expiresAt = timestampDate(c.nextAction!.konbini!.expiresAt!).getTime();
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now() + 100)));
    const recorded = await world.checkout.client.recordPaymentNotification({
      webhookId: `msg_${randomUUID()}`,
      type: "payment.expired",
      paymentId: c.paymentId,
      checkoutId: c.checkoutId,
    });
    expect(recorded.checkout?.status).toBe(CheckoutStatus.FAILED);
    expect(recorded.checkout?.failure?.code).toBe("PAYMENT_EXPIRED");
  });
});
