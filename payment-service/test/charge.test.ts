import { Writable } from "node:stream";
import { createPostgres, type Sql } from "@checkout-saga/shared";
import { PaymentStatus } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { Code } from "@connectrpc/connect";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentService } from "../src/index.js";
import { chargeRequest, failureOf, type PaymentClient, startTestPaymentService } from "./support.js";

let databaseUrl: string;
let sql: Sql;
let service: PaymentService;
let client: PaymentClient;
const started: PaymentService[] = [];

beforeAll(async () => {
  databaseUrl = await createTestDatabase("payment_charge");
  ({ service, client } = await startTestPaymentService(databaseUrl));
  started.push(service);
  sql = createPostgres(databaseUrl, { max: 2 });
});

afterAll(async () => {
  for (const s of started) await s.stop();
  await sql?.end();
});

describe("Charge", () => {
  it.each(["tok_visa", "tok_mastercard"])("charges %s successfully", async (token) => {
    const { payment } = await client.charge(chargeRequest(`ok-${token}`, { token, amountMinor: 2999n }));
    expect(payment).toMatchObject({
      idempotencyKey: `ok-${token}`,
      checkoutId: `checkout-ok-${token}`,
      amount: { currency: "USD", amountMinor: 2999n },
      status: PaymentStatus.SUCCEEDED,
      declineCode: "",
    });
    expect(payment?.paymentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(payment?.createdAt).toBeDefined();
    expect(payment?.refundedAt).toBeUndefined();
  });

  it.each([
    ["tok_chargeDeclined", "card_declined"],
    ["tok_insufficientFunds", "insufficient_funds"],
    ["tok_expiredCard", "expired_card"],
    ["tok_madeUp", "invalid_token"],
  ])("declines %s with %s, as a result rather than an error", async (token, declineCode) => {
    const { payment } = await client.charge(chargeRequest(`declined-${token}`, { token }));
    expect(payment?.status).toBe(PaymentStatus.DECLINED);
    expect(payment?.declineCode).toBe(declineCode);
    expect(payment?.declineMessage).not.toBe("");
  });

  it("answers the same key twice with the same payment, charging once", async () => {
    const first = await client.charge(chargeRequest("twice"));
    const second = await client.charge(chargeRequest("twice"));
    expect(second).toEqual(first);
    const rows = await sql`select count(*)::int as n from payments where idempotency_key = 'twice'`;
    expect(rows[0]?.n).toBe(1);
  });

  it("turns 20 concurrent charges with one key, on two instances, into one payment", async () => {
    // Latency keeps every call between its lookup and its insert long enough to really race.
    const other = await startTestPaymentService(databaseUrl, { PAYMENT_LATENCY_MS: "10-60" });
    started.push(other.service);
    const slow = await startTestPaymentService(databaseUrl, { PAYMENT_LATENCY_MS: "10-60" });
    started.push(slow.service);
    const clients = [other.client, slow.client];
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => clients[i % 2]!.charge(chargeRequest("concurrent"))),
    );
    const ids = new Set(responses.map((r) => r.payment?.paymentId));
    expect(ids.size).toBe(1);
    for (const r of responses) expect(r).toEqual(responses[0]);
    const rows = await sql`select count(*)::int as n from payments where idempotency_key = 'concurrent'`;
    expect(rows[0]?.n).toBe(1);
  });

  it("refuses a key reused with a different amount", async () => {
    await client.charge(chargeRequest("reused", { amountMinor: 1000n }));
    expect(await failureOf(client.charge(chargeRequest("reused", { amountMinor: 1001n })))).toEqual({
      code: Code.FailedPrecondition,
      reason: "IDEMPOTENCY_KEY_REUSED",
    });
  });

  it.each([
    ["a missing key", chargeRequest(""), "INVALID_ARGUMENT"],
    ["a key over 255 characters", chargeRequest("k".repeat(256)), "INVALID_ARGUMENT"],
    ["a zero amount", chargeRequest("zero", { amountMinor: 0n }), "INVALID_ARGUMENT"],
    ["a negative amount", chargeRequest("negative", { amountMinor: -1n }), "INVALID_ARGUMENT"],
    ["an amount beyond 2^53", chargeRequest("huge", { amountMinor: 2n ** 60n }), "INVALID_ARGUMENT"],
    ["a lowercase currency", chargeRequest("currency", { currency: "usd" }), "INVALID_ARGUMENT"],
    // Field rules (payment.proto), checked before the handler runs.
    ["a method neither card nor konbini", chargeRequest("paypal", { type: "paypal" }), "INVALID_ARGUMENT"],
    ["a token with a space", chargeRequest("spaced-token", { token: "tok visa" }), "INVALID_ARGUMENT"],
    // A card needs a token: the payment domain's rule, across fields.
    ["a card without a token", chargeRequest("no-token", { token: "" }), "INVALID_PAYMENT_METHOD"],
  ])("refuses %s as InvalidArgument", async (_name, request, reason) => {
    expect(await failureOf(client.charge(request))).toEqual({ code: Code.InvalidArgument, reason });
  });

  it("declines every charge with processing_error at failure rate 1", async () => {
    const failing = await startTestPaymentService(databaseUrl, { PAYMENT_FAILURE_RATE: "1" });
    started.push(failing.service);
    const { payment } = await failing.client.charge(chargeRequest("always-fails"));
    expect(payment?.status).toBe(PaymentStatus.DECLINED);
    expect(payment?.declineCode).toBe("processing_error");
  });

  it("never writes the card token to the logs", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logged = await startTestPaymentService(databaseUrl, {}, pino({ level: "trace" }, sink));
    started.push(logged.service);
    const { payment } = await logged.client.charge(chargeRequest("logged", { token: "tok_insufficientFunds" }));
    const output = lines.join("");
    expect(output).toContain(payment?.paymentId);
    expect(output).not.toContain("tok_insufficientFunds");
  });
});

describe("GetPayment", () => {
  it("finds a payment by id and by idempotency key", async () => {
    const { payment } = await client.charge(chargeRequest("lookup"));
    const byId = await client.getPayment({ paymentId: payment?.paymentId });
    const byKey = await client.getPayment({ idempotencyKey: "lookup" });
    expect(byId.payment).toEqual(payment);
    expect(byKey.payment).toEqual(payment);
  });

  it.each([
    ["neither field", {}],
    ["both fields", { paymentId: "00000000-0000-4000-8000-000000000000", idempotencyKey: "lookup" }],
  ])("refuses %s", async (_name, request) => {
    expect(await failureOf(client.getPayment(request))).toEqual({
      code: Code.InvalidArgument,
      reason: "INVALID_ARGUMENT",
    });
  });

  it.each([
    ["an unknown id", { paymentId: "00000000-0000-4000-8000-000000000000" }],
    ["an id that is no uuid", { paymentId: "pay_123" }],
    ["an unknown key", { idempotencyKey: "never-used" }],
  ])("reports %s as PAYMENT_NOT_FOUND", async (_name, request) => {
    expect(await failureOf(client.getPayment(request))).toEqual({
      code: Code.NotFound,
      reason: "PAYMENT_NOT_FOUND",
    });
  });
});
