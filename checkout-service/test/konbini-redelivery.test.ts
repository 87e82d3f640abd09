import { randomUUID } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import type { Gateway } from "@checkout-saga/gateway";
import {
  createServiceClient,
  createServiceTransport,
  DEV_PAYMENT_WEBHOOK_SECRET,
  errorDetail,
  PAYMENT_WEBHOOK_PATH,
} from "@checkout-saga/shared";
import {
  CheckoutStatus,
  InitiateCheckoutRequestSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { Code, ConnectError } from "@connectrpc/connect";
import postgres from "postgres";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RealDownstream, startRealDownstream } from "./real-downstream.js";
import { ADDRESS, startCheckout } from "./support.js";
import { startGatewayFor } from "./webhook-gateway.js";

/**
 * Redeliveries of a konbini payment's webhook that the first delivery did not settle, on the
 * real cart, inventory and payment services and a real gateway in front of the checkout service:
 * one that found the checkout busy (503, the provider retries) and one whose first delivery was
 * recorded but died before the saga moved. Either way the retry completes the checkout, once.
 */
const MOUSE = "2";
/** The seed catalog's yen price of a mouse. */
const YEN = 4_480;

let downstream: RealDownstream;
let checkout: Awaited<ReturnType<typeof startCheckout>>;
let gateway: Gateway;
let db: postgres.Sql;

beforeAll(async () => {
  downstream = await startRealDownstream({});
  const databaseUrl = await createTestDatabase("checkout_konbini_redelivery");
  checkout = await startCheckout({ databaseUrl, env: downstream.checkoutEnv });
  gateway = await startGatewayFor({
    checkoutUrl: `http://127.0.0.1:${checkout.service.port}`,
    paymentUrl: downstream.urls.payment,
  });
  db = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  await downstream.setStock(MOUSE, 10);
}, 600_000);

afterAll(async () => {
  await gateway?.stop();
  await checkout?.service.stop();
  await db?.end();
  await downstream?.stop();
}, 60_000);

/** A konbini checkout for one mouse, paid at the till: only the webhook is left to move it. */
async function paidKonbiniCheckout() {
  const userId = `u-${randomUUID()}`;
  await downstream.fillCart(userId, MOUSE, 1, "JPY");
  const c = (
    await checkout.client.initiateCheckout(
      create(InitiateCheckoutRequestSchema, {
        userId,
        idempotencyKey: "konbini",
        paymentMethod: { type: "konbini" },
        shippingAddress: ADDRESS,
      }),
    )
  ).checkout!;
  expect(c.status).toBe(CheckoutStatus.PAYMENT_PENDING);
  const payments = createServiceClient(PaymentService, createServiceTransport(downstream.urls.payment));
  await payments.payKonbini({ confirmationNumber: c.nextAction!.konbini!.confirmationNumber });
  return c;
}

/** The provider's `payment.succeeded` for `c`, signed as it signs it, POSTed to the gateway. */
function deliver(webhookId: string, c: { checkoutId: string; paymentId: string }) {
  const body = JSON.stringify({
    type: "payment.succeeded",
    timestamp: new Date().toISOString(),
    data: { payment_id: c.paymentId, checkout_id: c.checkoutId, amount: { currency: "JPY", amount_minor: YEN } },
  });
  const at = new Date();
  return fetch(`${gateway.url}${PAYMENT_WEBHOOK_PATH}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": webhookId,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1_000)),
      "webhook-signature": new Webhook(DEV_PAYMENT_WEBHOOK_SECRET).sign(webhookId, at, body),
    },
    body,
  });
}

const statusOf = async (checkoutId: string) => (await checkout.client.getCheckout({ checkoutId })).checkout!.status;

/** What the checkout did, counted where it is recorded: transitions to COMPLETED and CheckoutCompleted events. */
async function completions(checkoutId: string) {
  const [row] = await db<{ completed: number; events: number }[]>`
    select
      (select count(*)::int from checkout_transitions where checkout_id = ${checkoutId} and to_status = 'COMPLETED') as completed,
      (select count(*)::int from outbox where aggregate_id = ${checkoutId} and event_type = 'CheckoutCompleted') as events`;
  return row;
}

const processedAt = async (webhookId: string) =>
  (
    await db<{ processed_at: Date | null }[]>`
      select processed_at from payment_notifications where webhook_id = ${webhookId}`
  )[0]?.processed_at;

describe("a konbini webhook that the first delivery did not settle", () => {
  it("is refused as retryable while another driver holds the checkout, and completes it on redelivery", async () => {
    const c = await paidKonbiniCheckout();
    // Another instance (or InitiateCheckout still answering) drives the checkout and keeps its lease.
    await db`
      update checkout_sessions set lease_owner = 'another-instance', lease_expires_at = now() + interval '1 hour'
      where id = ${c.checkoutId}`;
    const webhookId = `msg_${randomUUID()}`;

    // At the checkout service: Unavailable after waiting for the lease, so the caller may retry.
    const refused = await checkout.client
      .recordPaymentNotification({
        webhookId,
        type: "payment.succeeded",
        paymentId: c.paymentId,
        checkoutId: c.checkoutId,
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refused).toBeInstanceOf(ConnectError);
    expect((refused as ConnectError).code).toBe(Code.Unavailable);
    expect(errorDetail(refused)?.reason).toBe("CHECKOUT_BUSY");

    // At the gateway, the provider's view: 503 problem, so it delivers again later.
    const busy = await deliver(webhookId, c);
    expect(busy.status).toBe(503);
    expect(busy.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await busy.json()).toMatchObject({ status: 503 });
    expect(await statusOf(c.checkoutId)).toBe(CheckoutStatus.PAYMENT_PENDING);
    // Recorded, not processed: the redelivery is not taken for a duplicate.
    expect(await processedAt(webhookId)).toBeNull();

    // The other driver lets go; the provider's retry completes the checkout.
    await db`update checkout_sessions set lease_owner = null, lease_expires_at = null where id = ${c.checkoutId}`;
    const retried = await deliver(webhookId, c);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ received: true, duplicate: false, ignored: false });
    expect(await statusOf(c.checkoutId)).toBe(CheckoutStatus.COMPLETED);
    expect(await downstream.effectsOf(c.checkoutId)).toEqual({ reservations: ["CONFIRMED"], payments: ["SUCCEEDED"] });
    expect(await completions(c.checkoutId)).toEqual({ completed: 1, events: 1 });

    const repeat = await deliver(webhookId, c);
    expect(await repeat.json()).toEqual({ received: true, duplicate: true, ignored: false });
  }, 60_000);

  it("moves the saga on the redelivery of a notification recorded before the process died, exactly once", async () => {
    const c = await paidKonbiniCheckout();
    const webhookId = `msg_${randomUUID()}`;
    // The first delivery got as far as recording its id; the process died before the saga moved.
    await db`
      insert into payment_notifications (webhook_id, type, payment_id, checkout_id)
      values (${webhookId}, 'payment.succeeded', ${c.paymentId}, ${c.checkoutId})`;
    expect(await statusOf(c.checkoutId)).toBe(CheckoutStatus.PAYMENT_PENDING);

    const redelivered = await deliver(webhookId, c);
    expect(redelivered.status).toBe(200);
    expect(await redelivered.json()).toEqual({ received: true, duplicate: false, ignored: false });
    expect(await statusOf(c.checkoutId)).toBe(CheckoutStatus.COMPLETED);
    expect(await processedAt(webhookId)).toBeInstanceOf(Date);

    // Died again, this time after the saga moved but before the row was marked: the next
    // redelivery finds the checkout finished and does nothing twice.
    await db`update payment_notifications set processed_at = null where webhook_id = ${webhookId}`;
    const again = await deliver(webhookId, c);
    expect(await again.json()).toEqual({ received: true, duplicate: false, ignored: false });
    const last = await deliver(webhookId, c);
    expect(await last.json()).toEqual({ received: true, duplicate: true, ignored: false });

    expect(await downstream.effectsOf(c.checkoutId)).toEqual({ reservations: ["CONFIRMED"], payments: ["SUCCEEDED"] });
    expect(await completions(c.checkoutId)).toEqual({ completed: 1, events: 1 });
    expect(await downstream.stockOf(MOUSE)).toMatchObject({ reserved: 0 });
  }, 60_000);

  it("answers a redelivered notification for an unknown checkout as ignored again, whatever its id looks like", async () => {
    for (const checkoutId of [randomUUID(), "chk_not_a_uuid"]) {
      const webhookId = `msg_${randomUUID()}`;
      const first = await deliver(webhookId, { checkoutId, paymentId: "pay_unknown" });
      expect(await first.json()).toEqual({ received: true, duplicate: false, ignored: true });
      // A 5xx here would have the provider retry a notification nothing can come of for days.
      const again = await deliver(webhookId, { checkoutId, paymentId: "pay_unknown" });
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ received: true, duplicate: true, ignored: true });
    }
  });
});
