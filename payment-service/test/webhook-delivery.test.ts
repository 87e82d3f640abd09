import { Writable } from "node:stream";
import { createPostgres, type Sql } from "@checkout-saga/shared";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import type { PaymentService } from "../src/index.js";
import {
  eventually,
  konbiniRequest,
  type PaymentClient,
  startTestPaymentService,
  TEST_WEBHOOK_SECRET,
} from "./support.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver.js";

/** Short delays so retries show within a test: 100 ms doubling up to 800 ms, polled every 20 ms. */
const FAST_RETRIES = {
  PAYMENT_WEBHOOK_RETRY_BASE_MS: "100",
  PAYMENT_WEBHOOK_RETRY_MAX_MS: "800",
  PAYMENT_WEBHOOK_POLL_INTERVAL_MS: "20",
};

const running = new Set<PaymentService>();
const receivers: WebhookReceiver[] = [];
const pools: Sql[] = [];

afterAll(async () => {
  for (const s of running) await s.stop();
  for (const r of receivers) await r.close();
  for (const p of pools) await p.end();
});

async function receiver() {
  const r = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
  receivers.push(r);
  return r;
}

async function database() {
  const url = await createTestDatabase("payment_webhooks");
  const sql = createPostgres(url, { max: 2 });
  pools.push(sql);
  return { url, sql };
}

async function provider(
  databaseUrl: string,
  to: WebhookReceiver,
  env: Record<string, string> = {},
  logger?: Parameters<typeof startTestPaymentService>[2],
) {
  const started = await startTestPaymentService(
    databaseUrl,
    { PAYMENT_WEBHOOK_URL: to.url, ...FAST_RETRIES, ...env },
    logger,
  );
  running.add(started.service);
  return started;
}

async function stop(service: PaymentService) {
  await service.stop();
  running.delete(service);
}

/** Charges a voucher and pays it at the store; returns the payment id. */
async function chargeAndPay(client: PaymentClient, key: string): Promise<string> {
  const { payment } = await client.charge(konbiniRequest(key));
  await client.payKonbini({ confirmationNumber: payment!.konbini!.confirmationNumber });
  return payment!.paymentId;
}

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  last_error: string | null;
}

const deliveryOf = async (sql: Sql, paymentId: string) =>
  (
    await sql<DeliveryRow[]>`
      select id, status, attempts, last_error from webhook_deliveries where payment_id = ${paymentId}`
  )[0];

describe("webhook delivery", () => {
  it("retries with growing pauses while the receiver answers 500, then delivers under the same webhook-id", async () => {
    const { url, sql } = await database();
    const gateway = await receiver();
    gateway.answerWith("fail");
    const { client } = await provider(url, gateway);
    const paymentId = await chargeAndPay(client, "answers-500");

    await eventually(async () => (gateway.received.length >= 4 ? true : undefined));
    gateway.answerWith("ok");
    await eventually(async () => ((await deliveryOf(sql, paymentId))?.status === "DELIVERED" ? true : undefined));

    const attempts = gateway.received;
    expect(new Set(attempts.map((a) => a.id)).size).toBe(1);
    expect(attempts.every((a) => a.body?.type === "payment.succeeded")).toBe(true);
    expect(gateway.delivered()).toHaveLength(1);
    // Pause after failed attempt n: at least half of 100 ms × 2^(n-1) (the jitter's floor).
    attempts.slice(1, 4).forEach((a, i) => {
      expect(a.at - attempts[i]!.at).toBeGreaterThanOrEqual(50 * 2 ** i - 5);
    });
    expect(await deliveryOf(sql, paymentId)).toMatchObject({
      id: attempts[0]?.id,
      attempts: attempts.length,
      last_error: null,
    });
  });

  it("retries while the receiver refuses connections, and delivers once it is back", async () => {
    const { url, sql } = await database();
    const gateway = await receiver();
    await gateway.close();
    const { client } = await provider(url, gateway);
    const paymentId = await chargeAndPay(client, "refused");

    const failing = await eventually(async () => {
      const row = await deliveryOf(sql, paymentId);
      return row && row.attempts >= 3 && row.last_error ? row : undefined;
    });
    expect(failing.status).toBe("PENDING");
    expect(failing.last_error).toMatch(/ECONNREFUSED/);

    await gateway.open();
    await eventually(async () => (gateway.delivered().length > 0 ? true : undefined));
    expect(gateway.received.map((r) => r.id)).toEqual([failing.id]);
  });

  it("gives up on an attempt the receiver does not answer within the timeout, and tries again", async () => {
    const { url, sql } = await database();
    const gateway = await receiver();
    gateway.answerWith("hang");
    const { client } = await provider(url, gateway, { PAYMENT_WEBHOOK_TIMEOUT_MS: "200" });
    const paymentId = await chargeAndPay(client, "hangs");

    const row = await eventually(async () => {
      const r = await deliveryOf(sql, paymentId);
      return r?.last_error ? r : undefined;
    });
    expect(row.last_error).toBe("no answer within 200 ms");
    gateway.answerWith("ok");
    await eventually(async () => (gateway.delivered().length > 0 ? true : undefined));
  });

  it("loses nothing across a restart: a new instance on the same database delivers what the old one could not", async () => {
    const { url, sql } = await database();
    const gateway = await receiver();
    gateway.answerWith("fail");
    const first = await provider(url, gateway);
    const paymentId = await chargeAndPay(first.client, "survives-restart");
    await eventually(async () => (gateway.received.length >= 2 ? true : undefined));
    await stop(first.service);
    const afterStop = gateway.received.length;
    expect(await deliveryOf(sql, paymentId)).toMatchObject({ status: "PENDING" });

    gateway.answerWith("ok");
    await provider(url, gateway);
    await eventually(async () => (gateway.delivered().length > 0 ? true : undefined));
    expect(gateway.received.length).toBeGreaterThan(afterStop);
    expect(new Set(gateway.received.map((r) => r.id))).toEqual(new Set([(await deliveryOf(sql, paymentId))?.id]));
    expect(gateway.delivered()).toHaveLength(1);
  });

  it("marks a delivery dead after the last allowed attempt, keeps it, logs and counts it", async () => {
    const { url, sql } = await database();
    const gateway = await receiver();
    gateway.answerWith("fail");
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const { client, service } = await provider(url, gateway, { PAYMENT_WEBHOOK_MAX_ATTEMPTS: "3" }, pino(sink));
    const paymentId = await chargeAndPay(client, "dead");

    const row = await eventually(async () => {
      const r = await deliveryOf(sql, paymentId);
      return r?.status === "DEAD" ? r : undefined;
    });
    expect(row).toMatchObject({ attempts: 3, last_error: "HTTP 500 (gave up after 3 attempts)" });
    expect(gateway.received).toHaveLength(3);
    const errors = lines.map((l) => JSON.parse(l) as { level: number; msg: string; webhookId?: string });
    expect(errors.filter((l) => l.level >= 50)).toEqual([
      expect.objectContaining({ msg: "webhook given up: dead, kept in webhook_deliveries", webhookId: row.id }),
    ]);
    const metrics = await (await fetch(`http://127.0.0.1:${service.adminPort}/metrics`)).text();
    expect(metrics).toMatch(
      /checkout_saga_payment_webhook_attempts_total\{[^}]*type="payment.succeeded"[^}]*outcome="dead"[^}]*\} 1/,
    );
    expect(metrics).toMatch(
      /checkout_saga_payment_webhook_attempts_total\{[^}]*type="payment.succeeded"[^}]*outcome="failed"[^}]*\} 2/,
    );
    expect(metrics).toMatch(/checkout_saga_payment_webhooks_pending\{[^}]*\} \d+/);
  });

  it("lets two instances share the queue without sending any webhook twice", async () => {
    const { url } = await database();
    const gateway = await receiver();
    const instances = [await provider(url, gateway), await provider(url, gateway)];
    const paymentIds = await Promise.all(
      Array.from({ length: 16 }, (_, i) => chargeAndPay(instances[i % 2]!.client, `shared-${i}`)),
    );
    await eventually(async () => (gateway.delivered().length >= paymentIds.length ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gateway.received).toHaveLength(paymentIds.length);
    expect(new Set(gateway.received.map((r) => r.body?.data.payment_id))).toEqual(new Set(paymentIds));
  });
});
