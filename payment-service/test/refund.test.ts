import { createPostgres, errorDetail, type Sql } from "@checkout-saga/shared";
import { PaymentStatus } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentService } from "../src/index.js";
import { chargeRequest, failureOf, konbiniRequest, type PaymentClient, startTestPaymentService } from "./support.js";

let service: PaymentService;
let client: PaymentClient;
let sql: Sql;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase("payment_refund");
  ({ service, client } = await startTestPaymentService(databaseUrl));
  sql = createPostgres(databaseUrl, { max: 1 });
});

afterAll(async () => {
  await service?.stop();
  await sql?.end();
});

const usd = (amountMinor: bigint) => ({ currency: "USD", amountMinor });

/** What the database holds for a payment: its refunded sum and its refund rows. */
async function stored(paymentId: string | undefined) {
  const [row] = await sql<
    { refunded_minor: string }[]
  >`select refunded_minor from payments where id = ${paymentId ?? ""}`;
  const refunds = await sql<{ refund_key: string; amount_minor: string }[]>`
    select refund_key, amount_minor from payment_refunds where payment_id = ${paymentId ?? ""} order by created_at`;
  return { refunded: Number(row?.refunded_minor), refunds: refunds.map((r) => [r.refund_key, Number(r.amount_minor)]) };
}

describe("Refund", () => {
  it("refunds a succeeded payment, and a second refund returns it unchanged", async () => {
    const { payment } = await client.charge(chargeRequest("refund-me"));
    const first = await client.refund({ paymentId: payment?.paymentId, reason: "order cancelled" });
    expect(first.payment).toMatchObject({ paymentId: payment?.paymentId, status: PaymentStatus.REFUNDED });
    expect(first.payment?.refundedAt).toBeDefined();
    const second = await client.refund({ paymentId: payment?.paymentId, reason: "retried" });
    expect(second).toEqual(first);
    expect((await client.getPayment({ paymentId: payment?.paymentId })).payment).toEqual(first.payment);
  });

  it("gives concurrent refunds of one payment one refund time", async () => {
    const { payment } = await client.charge(chargeRequest("refund-concurrently"));
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => client.refund({ paymentId: payment?.paymentId, reason: "cancelled" })),
    );
    for (const r of responses) expect(r).toEqual(responses[0]);
  });

  it("refuses to refund a declined payment", async () => {
    const { payment } = await client.charge(chargeRequest("declined", { token: "tok_chargeDeclined" }));
    expect(await failureOf(client.refund({ paymentId: payment?.paymentId }))).toEqual({
      code: Code.FailedPrecondition,
      reason: "PAYMENT_NOT_REFUNDABLE",
    });
    expect((await client.getPayment({ paymentId: payment?.paymentId })).payment?.status).toBe(PaymentStatus.DECLINED);
  });

  it("shows a refund of the whole payment in its refunds and refunded amount", async () => {
    const { payment } = await client.charge(chargeRequest("refund-whole"));
    const { refund } = await client.refund({ paymentId: payment?.paymentId, reason: "checkout failed" });
    expect(refund).toMatchObject({ refundKey: "", amount: usd(129_999n), reason: "checkout failed" });
    const read = (await client.getPayment({ paymentId: payment?.paymentId })).payment;
    expect(read).toMatchObject({ status: PaymentStatus.REFUNDED, refunded: usd(129_999n), refunds: [refund] });
  });

  it("reports an unknown payment", async () => {
    expect(await failureOf(client.refund({ paymentId: "00000000-0000-4000-8000-000000000000" }))).toEqual({
      code: Code.NotFound,
      reason: "PAYMENT_NOT_FOUND",
    });
  });
});

describe("Refund of part of a payment", () => {
  it("gives back an amount under a key; the payment stays SUCCEEDED until all of it is refunded", async () => {
    const { payment } = await client.charge(chargeRequest("partial", { amountMinor: 10_000n }));
    const id = payment?.paymentId;
    const first = await client.refund({ paymentId: id, amount: usd(2_500n), refundKey: "cancel-1", reason: "line 1" });
    expect(first.refund).toMatchObject({ refundKey: "cancel-1", amount: usd(2_500n), reason: "line 1" });
    expect(first.payment).toMatchObject({ status: PaymentStatus.SUCCEEDED, refunded: usd(2_500n) });
    expect(first.payment?.refundedAt).toBeUndefined();

    const last = await client.refund({ paymentId: id, amount: usd(7_500n), refundKey: "cancel-2", reason: "line 2" });
    expect(last.payment).toMatchObject({ status: PaymentStatus.REFUNDED, refunded: usd(10_000n) });
    expect(last.payment?.refunds.map((r) => [r.refundKey, r.amount?.amountMinor])).toEqual([
      ["cancel-1", 2_500n],
      ["cancel-2", 7_500n],
    ]);
    expect((await client.getPayment({ paymentId: id })).payment).toEqual(last.payment);
    expect(await stored(id)).toEqual({
      refunded: 10_000,
      refunds: [
        ["cancel-1", 2_500],
        ["cancel-2", 7_500],
      ],
    });
  });

  it("answers a retried key with the same refund and never refunds twice", async () => {
    const { payment } = await client.charge(chargeRequest("partial-retry", { amountMinor: 10_000n }));
    const request = { paymentId: payment?.paymentId, amount: usd(4_000n), refundKey: "cancel-1", reason: "line" };
    const first = await client.refund(request);
    const again = await client.refund(request);
    expect(again.refund).toEqual(first.refund);
    expect(again.payment).toEqual(first.payment);
    expect(await stored(payment?.paymentId)).toEqual({ refunded: 4_000, refunds: [["cancel-1", 4_000]] });
    expect(await failureOf(client.refund({ ...request, amount: usd(4_001n) }))).toEqual({
      code: Code.FailedPrecondition,
      reason: "REFUND_KEY_REUSED",
    });
  });

  it("refuses a refund beyond what is left, saying how much is, and writes nothing", async () => {
    const { payment } = await client.charge(chargeRequest("partial-over", { amountMinor: 10_000n }));
    const id = payment?.paymentId;
    await client.refund({ paymentId: id, amount: usd(6_000n), refundKey: "cancel-1" });
    try {
      await client.refund({ paymentId: id, amount: usd(4_001n), refundKey: "cancel-2" });
      expect.unreachable("a refund beyond the payment was accepted");
    } catch (err) {
      expect(ConnectError.from(err).code).toBe(Code.FailedPrecondition);
      expect(errorDetail(err)).toMatchObject({
        reason: "REFUND_EXCEEDS_PAYMENT",
        metadata: { payment_id: id, currency: "USD", requested_minor: "4001", refundable_minor: "4000" },
      });
    }
    expect(await stored(id)).toEqual({ refunded: 6_000, refunds: [["cancel-1", 6_000]] });
    expect(
      await failureOf(client.refund({ paymentId: id, amount: { currency: "JPY", amountMinor: 1n }, refundKey: "c-3" })),
    ).toEqual({
      code: Code.InvalidArgument,
      reason: "REFUND_CURRENCY_MISMATCH",
    });
  });

  it("refunds only what is left when the whole payment is refunded after part of it", async () => {
    const { payment } = await client.charge(chargeRequest("partial-then-whole", { amountMinor: 10_000n }));
    const id = payment?.paymentId;
    await client.refund({ paymentId: id, amount: usd(3_000n), refundKey: "cancel-1" });
    const { refund, payment: after } = await client.refund({ paymentId: id, reason: "checkout compensation" });
    expect(refund).toMatchObject({ refundKey: "", amount: usd(7_000n) });
    expect(after).toMatchObject({ status: PaymentStatus.REFUNDED, refunded: usd(10_000n) });
  });

  it("refuses an amount without a refund key by the request's field rule", async () => {
    const { payment } = await client.charge(chargeRequest("partial-no-key"));
    expect((await failureOf(client.refund({ paymentId: payment?.paymentId, amount: usd(1n) }))).code).toBe(
      Code.InvalidArgument,
    );
  });

  it("refunds a konbini payment only once it is paid", async () => {
    const { payment } = await client.charge(konbiniRequest("partial-konbini"));
    const request = {
      paymentId: payment?.paymentId,
      amount: { currency: "JPY", amountMinor: 1_000n },
      refundKey: "c-1",
    };
    expect(await failureOf(client.refund(request))).toEqual({
      code: Code.FailedPrecondition,
      reason: "PAYMENT_NOT_REFUNDABLE",
    });
    await client.payKonbini({ confirmationNumber: payment?.konbini?.confirmationNumber });
    expect((await client.refund(request)).payment).toMatchObject({
      status: PaymentStatus.SUCCEEDED,
      refunded: { currency: "JPY", amountMinor: 1_000n },
    });
  });

  it("serializes concurrent refunds of one payment: they never add up to more than it took", async () => {
    const { payment } = await client.charge(chargeRequest("partial-concurrent", { amountMinor: 10_000n }));
    const id = payment?.paymentId;
    // Twelve different cancellations of 1,000 each race for 10,000: exactly ten may win.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) =>
        client.refund({ paymentId: id, amount: usd(1_000n), refundKey: `race-${i}` }),
      ),
    );
    const refused = outcomes.filter((o) => o.status === "rejected");
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(10);
    for (const o of refused) expect(errorDetail(o.reason)?.reason).toBe("REFUND_EXCEEDS_PAYMENT");
    expect((await client.getPayment({ paymentId: id })).payment).toMatchObject({
      status: PaymentStatus.REFUNDED,
      refunded: usd(10_000n),
    });
    expect((await stored(id)).refunded).toBe(10_000);
    expect((await stored(id)).refunds).toHaveLength(10);
  });

  it("counts concurrent retries of one key once", async () => {
    const { payment } = await client.charge(chargeRequest("partial-concurrent-retry", { amountMinor: 10_000n }));
    const request = { paymentId: payment?.paymentId, amount: usd(2_000n), refundKey: "cancel-1", reason: "line" };
    const responses = await Promise.all(Array.from({ length: 8 }, () => client.refund(request)));
    for (const r of responses) expect(r).toEqual(responses[0]);
    expect(await stored(payment?.paymentId)).toEqual({ refunded: 2_000, refunds: [["cancel-1", 2_000]] });
  });
});
