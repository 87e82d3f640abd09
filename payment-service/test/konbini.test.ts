import { setTimeout as sleep } from "node:timers/promises";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { createPostgres, type Sql } from "@checkout-saga/shared";
import { PaymentStatus } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentService } from "../src/index.js";
import {
  eventually,
  failureOf,
  konbiniRequest,
  type PaymentClient,
  startTestPaymentService,
  TEST_WEBHOOK_SECRET,
} from "./support.js";
import { startWebhookReceiver, type WebhookReceiver } from "./webhook-receiver.js";

const started: PaymentService[] = [];
const receivers: WebhookReceiver[] = [];
const pools: Sql[] = [];

/** A provider on a database of its own, sending its webhooks to a receiver of its own. */
async function startProvider(env: Record<string, string> = {}) {
  const databaseUrl = await createTestDatabase("payment_konbini");
  const receiver = await startWebhookReceiver(TEST_WEBHOOK_SECRET);
  receivers.push(receiver);
  const { service, client } = await startTestPaymentService(databaseUrl, {
    PAYMENT_WEBHOOK_URL: receiver.url,
    PAYMENT_WEBHOOK_POLL_INTERVAL_MS: "20",
    ...env,
  });
  started.push(service);
  const sql = createPostgres(databaseUrl, { max: 2 });
  pools.push(sql);
  return { client, receiver, sql };
}

afterAll(async () => {
  for (const s of started) await s.stop();
  for (const r of receivers) await r.close();
  for (const p of pools) await p.end();
});

const webhooksFor = (receiver: WebhookReceiver, paymentId: string | undefined) =>
  receiver.delivered().filter((w) => w.body?.data.payment_id === paymentId);

describe("konbini on the mock provider", () => {
  let client: PaymentClient;
  let receiver: WebhookReceiver;
  let sql: Sql;

  beforeAll(async () => {
    ({ client, receiver, sql } = await startProvider());
  });

  it("charges PENDING with an 11-digit confirmation number and a voucher that expires in 3 days", async () => {
    const { payment } = await client.charge(konbiniRequest("pending", { store: "familymart" }));
    expect(payment).toMatchObject({
      status: PaymentStatus.PENDING,
      checkoutId: "checkout-pending",
      amount: { currency: "JPY", amountMinor: 4_480n },
      konbini: { store: "familymart" },
    });
    expect(payment?.konbini?.confirmationNumber).toMatch(/^\d{11}$/);
    const createdAt = timestampDate(payment!.createdAt!);
    const expiresAt = timestampDate(payment!.konbini!.expiresAt!);
    expect(expiresAt.getTime() - createdAt.getTime()).toBe(259_200_000);
    expect(payment?.expiresAt).toEqual(payment?.konbini?.expiresAt);
    expect(payment?.konbini?.paidAt).toBeUndefined();
  });

  it("answers a repeated Charge with the same pending payment, issuing one voucher", async () => {
    const first = await client.charge(konbiniRequest("repeat"));
    const second = await client.charge(konbiniRequest("repeat"));
    expect(second).toEqual(first);
    const [row] = await sql`select count(*)::int as n from payments where idempotency_key = 'repeat'`;
    expect(row?.n).toBe(1);
  });

  it("gives every voucher its own confirmation number", async () => {
    const numbers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const { payment } = await client.charge(konbiniRequest(`many-${i}`));
        return payment?.konbini?.confirmationNumber;
      }),
    );
    expect(new Set(numbers).size).toBe(20);
  });

  it.each([120n, 300_000n])("accepts ¥%i, a limit", async (amountMinor) => {
    const { payment } = await client.charge(konbiniRequest(`limit-${amountMinor}`, { amountMinor }));
    expect(payment?.status).toBe(PaymentStatus.PENDING);
  });

  it.each([
    ["dollars", konbiniRequest("usd", { currency: "USD", amountMinor: 2_999n }), "KONBINI_CURRENCY_UNSUPPORTED"],
    ["¥119", konbiniRequest("too-small", { amountMinor: 119n }), "KONBINI_AMOUNT_OUT_OF_RANGE"],
    ["¥300,001", konbiniRequest("too-large", { amountMinor: 300_001n }), "KONBINI_AMOUNT_OUT_OF_RANGE"],
    ["a card token", konbiniRequest("token", { token: "tok_visa" }), "INVALID_PAYMENT_METHOD"],
    // Not one of the chains: the store field's rule (payment.proto), checked before the handler.
    ["an unknown store", konbiniRequest("store", { store: "corner-shop" }), "INVALID_ARGUMENT"],
  ])("refuses %s as InvalidArgument with its reason, storing nothing", async (_name, request, reason) => {
    expect(await failureOf(client.charge(request))).toEqual({ code: Code.InvalidArgument, reason });
    const [row] = await sql`select count(*)::int as n from payments where idempotency_key = ${request.idempotencyKey}`;
    expect(row?.n).toBe(0);
  });

  it("pays at the store: SUCCEEDED, and exactly one signed payment.succeeded delivered", async () => {
    const { payment: pending } = await client.charge(konbiniRequest("pay-me", { amountMinor: 13_200n }));
    const number = pending!.konbini!.confirmationNumber;
    const { payment: paid } = await client.payKonbini({ confirmationNumber: number });
    expect(paid).toMatchObject({ paymentId: pending?.paymentId, status: PaymentStatus.SUCCEEDED });
    expect(paid?.konbini?.paidAt).toBeDefined();

    const [webhook] = await eventually(async () => {
      const got = webhooksFor(receiver, pending?.paymentId);
      return got.length > 0 ? got : undefined;
    });
    expect(webhook?.body).toEqual({
      type: "payment.succeeded",
      timestamp: timestampDate(paid!.konbini!.paidAt!).toISOString(),
      data: {
        payment_id: pending?.paymentId,
        checkout_id: "checkout-pay-me",
        amount: { currency: "JPY", amount_minor: 13_200 },
      },
    });
    // Recorded once the receiver's answer is in.
    const row = await eventually(async () => {
      const [r] = await sql<{ id: string; status: string }[]>`
        select id, status from webhook_deliveries where payment_id = ${pending!.paymentId}`;
      return r?.status === "DELIVERED" ? r : undefined;
    });
    expect(row.id).toBe(webhook?.id);

    // Paying again changes nothing and sends nothing.
    expect((await client.payKonbini({ confirmationNumber: number })).payment).toEqual(paid);
    expect((await client.getPayment({ paymentId: pending?.paymentId })).payment).toEqual(paid);
    await sleep(200);
    expect(receiver.received.filter((w) => w.body?.data.payment_id === pending?.paymentId)).toHaveLength(1);
  });

  it("cancels a pending voucher on VoidCharge: VOIDED, payment.failed sent, paying it refused", async () => {
    const { payment: pending } = await client.charge(konbiniRequest("void-me"));
    const { payment: voided } = await client.voidCharge({ idempotencyKey: "void-me", reason: "stock ran out" });
    expect(voided).toMatchObject({
      paymentId: pending?.paymentId,
      status: PaymentStatus.VOIDED,
      checkoutId: "checkout-void-me",
      konbini: { confirmationNumber: pending?.konbini?.confirmationNumber },
    });
    expect((await client.voidCharge({ idempotencyKey: "void-me", reason: "again" })).payment).toEqual(voided);
    expect(await failureOf(client.payKonbini({ confirmationNumber: pending!.konbini!.confirmationNumber }))).toEqual({
      code: Code.FailedPrecondition,
      reason: "KONBINI_VOUCHER_VOIDED",
    });
    const [webhook] = await eventually(async () => {
      const got = webhooksFor(receiver, pending?.paymentId);
      return got.length > 0 ? got : undefined;
    });
    expect(webhook?.body?.type).toBe("payment.failed");
  });

  it("refunds a paid konbini payment as it would a card; paying the voucher again returns it", async () => {
    const { payment: pending } = await client.charge(konbiniRequest("refund-me"));
    const number = pending!.konbini!.confirmationNumber;
    await client.payKonbini({ confirmationNumber: number });
    const { payment: refunded } = await client.refund({ paymentId: pending?.paymentId, reason: "checkout failed" });
    expect(refunded?.status).toBe(PaymentStatus.REFUNDED);
    expect(refunded?.konbini?.paidAt).toBeDefined();
    expect((await client.payKonbini({ confirmationNumber: number })).payment).toEqual(refunded);
  });

  it("refuses to refund a pending voucher: nothing was paid", async () => {
    const { payment } = await client.charge(konbiniRequest("refund-pending"));
    expect(await failureOf(client.refund({ paymentId: payment?.paymentId }))).toEqual({
      code: Code.FailedPrecondition,
      reason: "PAYMENT_NOT_REFUNDABLE",
    });
  });

  it.each([
    ["an unknown number", "12345678901", Code.NotFound, "KONBINI_VOUCHER_NOT_FOUND"],
    ["a malformed number", "12-345", Code.InvalidArgument, "INVALID_ARGUMENT"],
    ["a number the provider never issues (leading 0)", "01234567890", Code.InvalidArgument, "INVALID_ARGUMENT"],
  ])("refuses to pay %s", async (_name, confirmationNumber, code, reason) => {
    expect(await failureOf(client.payKonbini({ confirmationNumber }))).toEqual({ code, reason });
  });
});

describe("konbini expiry", () => {
  it("is enforced by the sweeper: EXPIRED, payment.expired delivered, paying refused", async () => {
    const { client, receiver } = await startProvider({
      KONBINI_EXPIRES_AFTER_SECONDS: "1",
      KONBINI_EXPIRY_SWEEP_INTERVAL_MS: "50",
    });
    const { payment } = await client.charge(konbiniRequest("swept"));
    const [webhook] = await eventually(async () => {
      const got = webhooksFor(receiver, payment?.paymentId);
      return got.length > 0 ? got : undefined;
    });
    expect(webhook?.body?.type).toBe("payment.expired");
    expect((await client.getPayment({ paymentId: payment?.paymentId })).payment?.status).toBe(PaymentStatus.EXPIRED);
    expect(await failureOf(client.payKonbini({ confirmationNumber: payment!.konbini!.confirmationNumber }))).toEqual({
      code: Code.FailedPrecondition,
      reason: "KONBINI_VOUCHER_EXPIRED",
    });
    expect(await client.voidCharge({ idempotencyKey: "swept" })).toMatchObject({
      payment: { status: PaymentStatus.EXPIRED },
    });
  });

  it("agrees on reads: a past-due voucher the sweeper has not reached is read EXPIRED, and announced once", async () => {
    const { client, receiver, sql } = await startProvider({
      KONBINI_EXPIRES_AFTER_SECONDS: "1",
      KONBINI_EXPIRY_SWEEP_INTERVAL_MS: "3600000",
    });
    const { payment } = await client.charge(konbiniRequest("read-expired"));
    await sleep(1_100);
    const statusInTable = async () =>
      (await sql<{ status: string }[]>`select status from payments where id = ${payment!.paymentId}`)[0]?.status;
    expect(await statusInTable()).toBe("PENDING");

    const reads = await Promise.all([
      client.getPayment({ paymentId: payment?.paymentId }),
      client.getPayment({ idempotencyKey: "read-expired" }),
      client.charge(konbiniRequest("read-expired")),
    ]);
    for (const read of reads) expect(read.payment?.status).toBe(PaymentStatus.EXPIRED);
    expect(await statusInTable()).toBe("EXPIRED");
    await eventually(async () => (webhooksFor(receiver, payment?.paymentId).length > 0 ? true : undefined));
    await sleep(200);
    expect(webhooksFor(receiver, payment?.paymentId).map((w) => w.body?.type)).toEqual(["payment.expired"]);
  });
});
