import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  DEV_PAYMENT_WEBHOOK_SECRET,
  failedPrecondition,
  notFound,
  PAYMENT_WEBHOOK_PATH,
  toConnectError,
} from "@checkout-saga/shared";
import {
  CheckoutStatus,
  type RecordPaymentNotificationRequest,
} from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import {
  PaymentSchema,
  PaymentService,
  PaymentStatus,
} from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createClient, createRouterTransport } from "@connectrpc/connect";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { buildCheckout, problemOf, startTestGateway } from "./fixture.js";

const CHECKOUT_ID = "0b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42";
const body = JSON.stringify({
  type: "payment.succeeded",
  timestamp: "2026-01-01T00:05:00.000Z",
  data: { payment_id: "pay_1", checkout_id: CHECKOUT_ID, amount: { currency: "JPY", amount_minor: 6000 } },
});

/** Headers as the provider signs them (its own library, the dev secret), at `at`. */
function signed(id: string, payload: string, at = new Date(), secret = DEV_PAYMENT_WEBHOOK_SECRET) {
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1_000)),
    "webhook-signature": new Webhook(secret).sign(id, at, payload),
  };
}

function gatewayRecording() {
  const recorded: RecordPaymentNotificationRequest[] = [];
  const seenIds = new Set<string>();
  const gw = startTestGateway({
    services: () => ({
      checkout: {
        recordPaymentNotification(req) {
          recorded.push(req);
          const first = !seenIds.has(req.webhookId);
          seenIds.add(req.webhookId);
          return {
            firstDelivery: first,
            ignored: false,
            checkout: buildCheckout({ checkoutId: req.checkoutId, status: CheckoutStatus.COMPLETED }),
          };
        },
      },
    }),
  });
  const post = (headers: Record<string, string>, payload = body) =>
    gw.app.request(PAYMENT_WEBHOOK_PATH, { method: "POST", headers, body: payload });
  return { gw, recorded, post };
}

describe("POST /api/v1/webhooks/payments", () => {
  it("passes a verified notification on to the checkout service, without a bearer token", async () => {
    const { recorded, post } = gatewayRecording();
    const res = await post(signed("msg_1", body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, duplicate: false, ignored: false });
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      webhookId: "msg_1",
      type: "payment.succeeded",
      paymentId: "pay_1",
      checkoutId: CHECKOUT_ID,
    });
    const again = await post(signed("msg_1", body));
    expect(await again.json()).toEqual({ received: true, duplicate: true, ignored: false });
  });

  it.each([
    ["no signature headers", { "content-type": "application/json" }],
    [
      "a wrong signature",
      { ...signed("msg_2", body), "webhook-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
    ],
    ["another secret", signed("msg_3", body, new Date(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")],
    ["a stale timestamp (6 minutes)", signed("msg_4", body, new Date(Date.now() - 6 * 60_000))],
  ])("refuses %s with 401 and calls nothing", async (_name, headers: Record<string, string>) => {
    const { recorded, post } = gatewayRecording();
    const res = await post(headers);
    expect(res.status).toBe(401);
    expect((await problemOf(res)).type).toBe("https://checkout-saga.dev/problems/invalid-webhook-signature");
    expect(recorded).toHaveLength(0);
  });

  it("verifies the exact bytes: a changed amount, or the same JSON re-spaced, does not verify", async () => {
    const { recorded, post } = gatewayRecording();
    expect((await post(signed("msg_5", body), body.replace("6000", "6001"))).status).toBe(401);
    const respaced = JSON.stringify(JSON.parse(body), null, 2);
    expect((await post(signed("msg_6", body), respaced)).status).toBe(401);
    expect(recorded).toHaveLength(0);
  });

  it("refuses a verified body that is not a notification with 400, calling nothing", async () => {
    const { recorded, post } = gatewayRecording();
    const odd = JSON.stringify({ type: "payment.refunded", timestamp: "x", data: {} });
    const res = await post(signed("msg_7", odd), odd);
    expect(res.status).toBe(400);
    expect(recorded).toHaveLength(0);
  });
});

describe("POST /api/v1/dev/payments/konbini/{confirmation_number}/pay", () => {
  const payments = createClient(
    PaymentService,
    createRouterTransport((router) =>
      router.service(PaymentService, {
        payKonbini(req) {
          if (req.confirmationNumber === "10000000000") {
            throw toConnectError(notFound("KONBINI_VOUCHER_NOT_FOUND", "no voucher with that number"));
          }
          if (req.confirmationNumber === "20000000000") {
            throw toConnectError(failedPrecondition("KONBINI_VOUCHER_EXPIRED", "the voucher expired"));
          }
          return {
            payment: create(PaymentSchema, {
              paymentId: "pay_1",
              checkoutId: CHECKOUT_ID,
              status: PaymentStatus.SUCCEEDED,
              amount: { currency: "JPY", amountMinor: 6000n },
              konbini: {
                confirmationNumber: req.confirmationNumber,
                expiresAt: timestampFromDate(new Date("2026-01-04T00:00:00Z")),
                paidAt: timestampFromDate(new Date("2026-01-01T00:05:00Z")),
              },
            }),
          };
        },
      }),
    ),
  );

  it("pays the voucher: 200 with the payment; 404 unknown, 409 expired, 400 malformed", async () => {
    const gw = startTestGateway({ deps: { payments } });
    const pay = (n: string) => gw.call("POST", `/dev/payments/konbini/${n}/pay`, { user: null });
    const ok = await pay("12345678901");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      payment_id: "pay_1",
      checkout_id: CHECKOUT_ID,
      status: "SUCCEEDED",
      amount: { currency: "JPY", amount_minor: 6000 },
      konbini: {
        confirmation_number: "12345678901",
        expires_at: "2026-01-04T00:00:00.000Z",
        paid_at: "2026-01-01T00:05:00.000Z",
      },
    });
    expect((await pay("10000000000")).status).toBe(404);
    const expired = await pay("20000000000");
    expect(expired.status).toBe(409);
    expect((await problemOf(expired)).type).toBe("https://checkout-saga.dev/problems/konbini-voucher-expired");
    expect((await pay("0123")).status).toBe(400);
  });

  it("is not there when dev routes are off", async () => {
    const gw = startTestGateway({
      deps: { payments },
      env: { AUTH_DEV_TOKENS: "false" },
    });
    const res = await gw.call("POST", "/dev/payments/konbini/12345678901/pay", { user: null });
    expect(res.status).toBe(404);
  });
});
