import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import type { Gateway } from "@checkout-saga/gateway";
import {
  CHECKOUT_EVENTS_TOPIC,
  createServiceClient,
  createServiceTransport,
  DEV_PAYMENT_WEBHOOK_SECRET,
  PAYMENT_WEBHOOK_PATH,
} from "@checkout-saga/shared";
import {
  CheckoutStatus,
  InitiateCheckoutRequestSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKafkaTopics, type RunningKafka, startKafka } from "../../scripts/provision/servers.js";
import { KAFKA_USERS } from "../../scripts/stack/topology.js";
import { type CheckoutProcess, startCheckoutProcess } from "./checkout-process.js";
import { type RealDownstream, startRealDownstream } from "./real-downstream.js";
import { ADDRESS, eventually } from "./support.js";
import { startGatewayFor } from "./webhook-gateway.js";

/**
 * The webhook path on real servers: the payment service delivers its signed notifications to a
 * real gateway, which passes them to a checkout service running as its own process. The gateway
 * is down when the customer pays (the provider retries until it is back), and the checkout
 * service is SIGKILLed while the payment is pending (its restart still completes the checkout).
 */
const MOUSE = "2";

/**
 * Holds the gateway's port while the gateway is down: every connection is reset at once, as if
 * nothing listened, and no other test can take the port before the gateway binds it.
 */
async function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

let kafka: RunningKafka;
let kafkaDir: string;
let downstream: RealDownstream;
let checkout: CheckoutProcess | undefined;
let gateway: Gateway | undefined;
let gatewayPort: number;
let gatewayPortHold: Awaited<ReturnType<typeof holdPort>> | undefined;
let checkoutPort: number;
let checkoutEnv: Record<string, string>;

const startGatewayNow = async () => {
  await gatewayPortHold?.release();
  gatewayPortHold = undefined;
  gateway = await startGatewayFor({
    port: gatewayPort,
    checkoutUrl: `http://127.0.0.1:${checkoutPort}`,
    paymentUrl: downstream.urls.payment,
  });
};

beforeAll(async () => {
  // The checkout service on its own (not embedded) relays its outbox to Kafka.
  kafkaDir = await mkdtemp(path.join(os.tmpdir(), "checkout-konbini-kafka-"));
  kafka = await startKafka({ dataDir: kafkaDir, users: KAFKA_USERS });
  await createKafkaTopics(kafka.admin, [{ topic: CHECKOUT_EVENTS_TOPIC, partitions: 3 }]);
  gatewayPortHold = await holdPort();
  gatewayPort = gatewayPortHold.port;
  downstream = await startRealDownstream({
    payment: {
      PAYMENT_WEBHOOK_URL: `http://127.0.0.1:${gatewayPort}${PAYMENT_WEBHOOK_PATH}`,
      PAYMENT_WEBHOOK_RETRY_BASE_MS: "200",
      PAYMENT_WEBHOOK_RETRY_MAX_MS: "500",
      PAYMENT_WEBHOOK_POLL_INTERVAL_MS: "50",
    },
  });
  checkoutEnv = {
    CHECKOUT_DATABASE_URL: await createTestDatabase("checkout_konbini_webhooks"),
    ...kafka.env("checkout-service"),
    ...downstream.checkoutEnv,
    CHECKOUT_ADMIN_PORT: "0",
    CHECKOUT_LEASE_MS: "1000",
    CHECKOUT_RECOVERY_INTERVAL_MS: "200",
    CHECKOUT_RECOVERY_GRACE_MS: "0",
  };
  await downstream.setStock(MOUSE, 10);
}, 600_000);

afterAll(async () => {
  await checkout?.stop();
  await gateway?.stop();
  await gatewayPortHold?.release();
  await downstream?.stop();
  await kafka?.stop();
  if (kafkaDir) await rm(kafkaDir, { recursive: true, force: true });
}, 60_000);

it("completes a konbini checkout by webhook after the gateway was down and the checkout service was SIGKILLed", async () => {
  checkout = await startCheckoutProcess(checkoutEnv);
  const userId = `u-${randomUUID()}`;
  await downstream.fillCart(userId, MOUSE, 2, "JPY");
  const started = await checkout.client.initiateCheckout(
    create(InitiateCheckoutRequestSchema, {
      userId,
      idempotencyKey: "konbini-1",
      paymentMethod: { type: "konbini" },
      shippingAddress: ADDRESS,
    }),
  );
  const c = started.checkout!;
  expect(c.status).toBe(CheckoutStatus.PAYMENT_PENDING);

  // SIGKILL while the payment is pending: nothing but its row remembers the checkout.
  checkout.child.kill("SIGKILL");
  await checkout.exited;

  // The customer pays while the gateway is down: the provider keeps the webhook and retries.
  const payments = createServiceClient(PaymentService, createServiceTransport(downstream.urls.payment));
  await payments.payKonbini({ confirmationNumber: c.nextAction!.konbini!.confirmationNumber });
  await new Promise((r) => setTimeout(r, 1_000));
  const [delivery] = await downstream.paymentDb<{ attempts: number; status: string }[]>`
    select attempts, status from webhook_deliveries order by created_at desc limit 1`;
  expect(delivery).toMatchObject({ status: "PENDING" });
  expect(delivery!.attempts).toBeGreaterThan(0);

  // A port of the process's own choosing each start (no other test can take it meanwhile): the
  // gateway, started after it, is told which.
  checkout = await startCheckoutProcess(checkoutEnv);
  checkoutPort = checkout.port;
  await startGatewayNow();
  const done = await eventually(
    "the checkout to complete",
    async () => {
      const now = (await checkout!.client.getCheckout({ checkoutId: c.checkoutId })).checkout!;
      return now.status === CheckoutStatus.COMPLETED ? now : undefined;
    },
    20_000,
  );
  expect(done.failure).toBeUndefined();
  expect(await downstream.effectsOf(c.checkoutId)).toEqual({ reservations: ["CONFIRMED"], payments: ["SUCCEEDED"] });
  expect(await downstream.stockOf(MOUSE)).toEqual({ available: 8, reserved: 0 });
  await eventually("the webhook marked delivered", async () => {
    const [row] = await downstream.paymentDb<{ status: string }[]>`
      select status from webhook_deliveries order by created_at desc limit 1`;
    return row?.status === "DELIVERED" ? true : undefined;
  });
}, 60_000);

it("refuses a forged or stale webhook at the real gateway, and a genuine late or repeated one changes nothing", async () => {
  if (!gateway || !checkout) throw new Error("runs after the first test");
  const userId = `u-${randomUUID()}`;
  await downstream.fillCart(userId, MOUSE, 1, "JPY");
  const c = (
    await checkout.client.initiateCheckout(
      create(InitiateCheckoutRequestSchema, {
        userId,
        idempotencyKey: "konbini-2",
        paymentMethod: { type: "konbini" },
        shippingAddress: ADDRESS,
      }),
    )
  ).checkout!;
  const body = JSON.stringify({
    type: "payment.succeeded",
    timestamp: new Date().toISOString(),
    data: { payment_id: c.paymentId, checkout_id: c.checkoutId, amount: { currency: "JPY", amount_minor: 4480 } },
  });
  const post = (id: string, at: Date, secret = DEV_PAYMENT_WEBHOOK_SECRET) =>
    fetch(`${gateway!.url}${PAYMENT_WEBHOOK_PATH}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": String(Math.floor(at.getTime() / 1_000)),
        "webhook-signature": new Webhook(secret).sign(id, at, body),
      },
      body,
    });
  const status = async () => (await checkout!.client.getCheckout({ checkoutId: c.checkoutId })).checkout!.status;

  expect((await post("msg_forged", new Date(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).status).toBe(401);
  expect((await post("msg_stale", new Date(Date.now() - 6 * 60_000))).status).toBe(401);
  expect(await status()).toBe(CheckoutStatus.PAYMENT_PENDING);

  // Signed, but not paid: the saga asks the provider, which still says PENDING; nothing moves.
  const early = await post("msg_early", new Date());
  expect(early.status).toBe(200);
  expect(await early.json()).toEqual({ received: true, duplicate: false, ignored: false });
  expect(await status()).toBe(CheckoutStatus.PAYMENT_PENDING);
  const repeat = await post("msg_early", new Date());
  expect(await repeat.json()).toEqual({ received: true, duplicate: true, ignored: false });
});
