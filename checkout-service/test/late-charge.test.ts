import { createServiceClient, createServiceTransport, type RpcServer, startRpcServer } from "@checkout-saga/shared";
import { CheckoutStatus } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import {
  type ChargeResponse,
  PaymentService,
  PaymentStatus,
} from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createTestDatabase, testLogger } from "@checkout-saga/shared/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RealDownstream, startRealDownstream } from "./real-downstream.js";
import { checkoutRequest, eventually, startCheckout } from "./support.js";

/**
 * A pass-through in front of the real payment service that keeps each forwarded Charge going
 * when the checkout gives up on it — as the real service does with a cancelled call — and
 * remembers it, so the test can wait for the late charges to land.
 */
async function startPaymentTap(realUrl: string) {
  const real = createServiceClient(PaymentService, createServiceTransport(realUrl));
  const charges: Array<{ checkoutId: string; landed: Promise<ChargeResponse> }> = [];
  const server = await startRpcServer({
    port: 0,
    host: "127.0.0.1",
    logger: testLogger(),
    routes: (router) =>
      router.service(PaymentService, {
        charge(req) {
          const landed = real.charge(req);
          charges.push({ checkoutId: req.checkoutId, landed });
          return landed;
        },
        voidCharge: (req) => real.voidCharge(req),
        refund: (req) => real.refund(req),
      }),
  });
  return {
    server,
    url: `http://127.0.0.1:${server.port}`,
    /** The answers the real service gave the checkout's charges, once every one of them landed. */
    landedCharges: (checkoutId: string) =>
      Promise.all(charges.filter((c) => c.checkoutId === checkoutId).map((c) => c.landed)),
  };
}

const MOUSE = "2";
let downstream: RealDownstream;
let tap: Awaited<ReturnType<typeof startPaymentTap>>;
let tapServer: RpcServer | undefined;
const services: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  // Each charge takes 4 s; the checkout waits 100 ms per try, so all its tries (with backoff,
  // about 2 s) time out and it compensates while the charges are still being processed.
  downstream = await startRealDownstream({ payment: { PAYMENT_LATENCY_MS: "4000" } });
  tap = await startPaymentTap(downstream.urls.payment);
  tapServer = tap.server;
});

afterAll(async () => {
  for (const s of services) await s.stop();
  await tapServer?.close();
  await downstream?.stop();
});

it("voids a charge it timed out on, so the charge landing after the checkout FAILED takes no money", async () => {
  const checkout = await startCheckout({
    databaseUrl: await createTestDatabase("checkout_late_charge"),
    env: {
      ...downstream.checkoutEnv,
      PAYMENT_URL: tap.url,
      CHECKOUT_PAYMENT_TIMEOUT_MS: "100",
      CHECKOUT_CHARGE_DEADLINE_MS: "2000",
      CHECKOUT_PAYMENT_DEADLINE_MS: "1",
      CHECKOUT_RECOVERY_GRACE_MS: "0",
    },
  });
  services.push(checkout.service);
  const userId = `late-${Date.now()}`;
  await downstream.fillCart(userId, MOUSE, 1);
  const before = await downstream.stockOf(MOUSE);

  const first = await checkout.client.initiateCheckout(checkoutRequest(userId, "late"));
  const checkoutId = first.checkout?.checkoutId ?? "";
  const failed = await eventually("the checkout to fail", async () => {
    const { checkout: c } = await checkout.client.getCheckout({ checkoutId });
    return c?.status === CheckoutStatus.FAILED ? c : undefined;
  });
  expect(failed.failure?.message).toMatch(/could not charge the payment/);
  expect(failed.history.map((t) => CheckoutStatus[t.to]).slice(-3)).toEqual([
    "PAYMENT_PENDING",
    "COMPENSATING",
    "FAILED",
  ]);

  // Every charge the checkout gave up on has now finished in the payment service.
  const landed = await tap.landedCharges(checkoutId);
  expect(landed.length).toBeGreaterThanOrEqual(1);
  const { payments } = await downstream.effectsOf(checkoutId);
  // One payment under the checkout's key, and it took nothing: voided before the charge could
  // store its outcome (or, had the charge been quicker than compensation, refunded).
  expect(payments).toHaveLength(1);
  expect(payments).not.toContain("SUCCEEDED");
  // Voided first: every late charge answered VOIDED. Charged first: a charge answered SUCCEEDED
  // before compensation refunded it (or REFUNDED, landing after).
  const answers = payments[0] === "VOIDED" ? [PaymentStatus.VOIDED] : [PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED];
  for (const { payment } of landed) expect(answers).toContain(payment?.status);
  expect(await downstream.effectsOf(checkoutId)).toEqual({ reservations: ["RELEASED"], payments });
  expect(await downstream.stockOf(MOUSE)).toEqual(before);
}, 30_000);
