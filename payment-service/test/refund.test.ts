import { PaymentStatus } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentService } from "../src/index.js";
import { chargeRequest, failureOf, type PaymentClient, startTestPaymentService } from "./support.js";

let service: PaymentService;
let client: PaymentClient;

beforeAll(async () => {
  ({ service, client } = await startTestPaymentService(await createTestDatabase("payment_refund")));
});

afterAll(async () => {
  await service?.stop();
});

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

  it("reports an unknown payment", async () => {
    expect(await failureOf(client.refund({ paymentId: "00000000-0000-4000-8000-000000000000" }))).toEqual({
      code: Code.NotFound,
      reason: "PAYMENT_NOT_FOUND",
    });
  });
});
