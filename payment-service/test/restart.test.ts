import { PaymentStatus } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { afterAll, expect, it } from "vitest";
import type { PaymentService } from "../src/index.js";
import { chargeRequest, startTestPaymentService } from "./support.js";

const running: PaymentService[] = [];

afterAll(async () => {
  for (const s of running) await s.stop();
});

it("keeps payments across a restart, and a replayed charge still charges once", async () => {
  const databaseUrl = await createTestDatabase("payment_restart");
  const first = await startTestPaymentService(databaseUrl);
  running.push(first.service);
  const { payment } = await first.client.charge(chargeRequest("survivor"));
  await first.service.stop();
  running.pop();

  const second = await startTestPaymentService(databaseUrl);
  running.push(second.service);
  expect((await second.client.getPayment({ paymentId: payment?.paymentId })).payment).toEqual(payment);
  expect((await second.client.getPayment({ idempotencyKey: "survivor" })).payment).toEqual(payment);
  expect((await second.client.charge(chargeRequest("survivor"))).payment).toEqual(payment);
  const refunded = await second.client.refund({ paymentId: payment?.paymentId });
  expect(refunded.payment?.status).toBe(PaymentStatus.REFUNDED);
});
