import {
  createServiceClient,
  createServiceTransport,
  errorDetail,
  type RpcServer,
  startRpcServer,
} from "@checkout-saga/shared";
import { CheckoutStatus } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createTestDatabase, testLogger } from "@checkout-saga/shared/testing";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RealDownstream, startRealDownstream } from "./real-downstream.js";
import { checkoutRequest, eventually, startCheckout } from "./support.js";

/**
 * A payment service whose Charge hangs (until the caller gives up), in front of the real one:
 * VoidCharge and Refund pass through, so compensation can still undo the charge by its key.
 */
async function startHangingPayments(realUrl: string) {
  const real = createServiceClient(PaymentService, createServiceTransport(realUrl));
  const charges: string[] = [];
  /** While true, VoidCharge hangs too: compensation cannot make sure nothing stays charged. */
  const faults = { voidsHang: false };
  const hang = async (signal: AbortSignal): Promise<never> => {
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    throw new ConnectError("the caller gave up", Code.Canceled);
  };
  const server = await startRpcServer({
    port: 0,
    host: "127.0.0.1",
    logger: testLogger(),
    routes: (router) =>
      router.service(PaymentService, {
        async charge(req, ctx) {
          charges.push(req.checkoutId);
          return hang(ctx.signal);
        },
        voidCharge: (req, ctx) => (faults.voidsHang ? hang(ctx.signal) : real.voidCharge(req)),
        refund: (req) => real.refund(req),
      }),
  });
  return {
    server,
    url: `http://127.0.0.1:${server.port}`,
    faults,
    chargesOf: (checkoutId: string) => charges.filter((id) => id === checkoutId).length,
  };
}

const MOUSE = "2";
let downstream: RealDownstream;
let hanging: Awaited<ReturnType<typeof startHangingPayments>>;
const services: Array<{ stop(): Promise<void> }> = [];
let payments: RpcServer | undefined;

const errorReason = (err: ConnectError) => errorDetail(err)?.reason;

beforeAll(async () => {
  downstream = await startRealDownstream();
  hanging = await startHangingPayments(downstream.urls.payment);
  payments = hanging.server;
});

afterAll(async () => {
  for (const s of services) await s.stop();
  await payments?.close();
  await downstream?.stop();
});

/** A checkout service whose payments go to the hanging stand-in, with short deadlines. */
async function startAgainstHangingPayments(env: Record<string, string>) {
  const checkout = await startCheckout({
    databaseUrl: await createTestDatabase("checkout_faults"),
    env: {
      ...downstream.checkoutEnv,
      PAYMENT_URL: hanging.url,
      CHECKOUT_PAYMENT_TIMEOUT_MS: "200",
      // A hanging charge is retried this long within the request, then the checkout waits.
      CHECKOUT_CHARGE_DEADLINE_MS: "1000",
      ...env,
    },
  });
  services.push(checkout.service);
  return checkout;
}

async function newCustomer(name: string) {
  const userId = `${name}-${Date.now()}`;
  await downstream.fillCart(userId, MOUSE, 1);
  return userId;
}

describe("a payment service that hangs", () => {
  it("times the charge out, compensates and fails the checkout instead of hanging", async () => {
    const checkout = await startAgainstHangingPayments({
      CHECKOUT_PAYMENT_DEADLINE_MS: "1",
      CHECKOUT_RECOVERY_GRACE_MS: "0",
      CHECKOUT_BREAKER_FAILURES: "1000",
    });
    const before = await downstream.stockOf(MOUSE);
    const userId = await newCustomer("hang");

    const first = await checkout.client.initiateCheckout(checkoutRequest(userId, "hang"));
    const checkoutId = first.checkout?.checkoutId ?? "";
    const failed = await eventually("the checkout to fail", async () => {
      const { checkout: c } = await checkout.client.getCheckout({ checkoutId });
      return c?.status === CheckoutStatus.FAILED ? c : undefined;
    });

    expect(failed.failure?.code).toBe("STEP_FAILED");
    expect(failed.failure?.message).toMatch(/could not charge the payment/);
    expect(failed.history.map((t) => CheckoutStatus[t.to])).toEqual([
      "INITIATED",
      "LINES_CLAIMED",
      "POINTS_REDEEMED",
      "INVENTORY_RESERVED",
      "PAYMENT_PENDING",
      "COMPENSATING",
      "FAILED",
    ]);
    // Charge was tried (and timed out); its key was voided, so nothing was charged; the stock is back.
    expect(hanging.chargesOf(checkoutId)).toBeGreaterThanOrEqual(1);
    expect(await downstream.effectsOf(checkoutId)).toEqual({ reservations: ["RELEASED"], payments: ["VOIDED"] });
    expect(await downstream.stockOf(MOUSE)).toEqual(before);
  });

  it("opens the payment circuit: later charges fail fast without reaching the service", async () => {
    const checkout = await startAgainstHangingPayments({
      CHECKOUT_BREAKER_FAILURES: "2",
      CHECKOUT_BREAKER_COOLDOWN_MS: "600000",
      // The charge waits out the open circuit this long, then the checkout waits in PAYMENT_PENDING.
      CHECKOUT_CHARGE_DEADLINE_MS: "1500",
      // Recovery stays out of it: only the calls below reach the payment service.
      CHECKOUT_RECOVERY_GRACE_MS: "3600000",
    });

    const first = await checkout.client.initiateCheckout(checkoutRequest(await newCustomer("opens"), "opens"));
    const firstId = first.checkout?.checkoutId ?? "";
    // Two timeouts opened the circuit; the retry after them was refused without a call.
    expect(hanging.chargesOf(firstId)).toBe(2);
    expect(first.checkout?.status).toBe(CheckoutStatus.PAYMENT_PENDING);

    const second = await checkout.client.initiateCheckout(checkoutRequest(await newCustomer("fast"), "fast"));
    const secondId = second.checkout?.checkoutId ?? "";
    expect(hanging.chargesOf(secondId)).toBe(0);
    // The charge's outcome is not known to be "nothing" for every earlier try, so the checkout
    // waits in PAYMENT_PENDING (recovery retries it) — while inventory, on its own circuit, worked.
    expect(second.checkout?.status).toBe(CheckoutStatus.PAYMENT_PENDING);
    expect(await downstream.effectsOf(secondId)).toEqual({ reservations: ["HELD"], payments: [] });
  });

  it("flags a compensation that cannot finish, lists it for operators, and clears it once it can", async () => {
    const checkout = await startAgainstHangingPayments({
      CHECKOUT_PAYMENT_DEADLINE_MS: "1",
      CHECKOUT_RECOVERY_GRACE_MS: "0",
      CHECKOUT_ATTENTION_RETRY_MS: "0",
      CHECKOUT_BREAKER_FAILURES: "1000",
    });
    hanging.faults.voidsHang = true;
    const userId = await newCustomer("stuck");
    const first = await checkout.client.initiateCheckout(checkoutRequest(userId, "stuck"));
    const checkoutId = first.checkout?.checkoutId ?? "";
    const flagged = await eventually("the compensation to be flagged", async () => {
      const { checkout: c } = await checkout.client.getCheckout({ checkoutId });
      return c?.needsAttention ? c : undefined;
    });
    // Never FAILED while it cannot tell whether money was taken.
    expect(flagged.status).toBe(CheckoutStatus.COMPENSATING);
    const listed = await checkout.client.listCheckouts({ needsAttention: true });
    expect(listed.checkouts.map((c) => c.checkoutId)).toEqual([checkoutId]);
    const { checkouts: compensating } = await checkout.client.listCheckouts({
      needsAttention: true,
      status: CheckoutStatus.COMPENSATING,
    });
    expect(compensating.map((c) => c.checkoutId)).toEqual([checkoutId]);

    hanging.faults.voidsHang = false;
    const failed = await eventually("recovery to finish the compensation", async () => {
      const { checkout: c } = await checkout.client.getCheckout({ checkoutId });
      return c?.status === CheckoutStatus.FAILED ? c : undefined;
    });
    expect(failed.needsAttention).toBe(false);
    expect((await checkout.client.listCheckouts({ needsAttention: true })).checkouts).toEqual([]);
    expect(await downstream.effectsOf(checkoutId)).toEqual({ reservations: ["RELEASED"], payments: ["VOIDED"] });
  });
  it("lets an operator retry a flagged compensation now, rather than after the attention pause", async () => {
    const checkout = await startAgainstHangingPayments({
      CHECKOUT_PAYMENT_DEADLINE_MS: "1",
      CHECKOUT_RECOVERY_GRACE_MS: "0",
      // Once flagged, recovery leaves it alone for an hour: only the operator's retry moves it.
      CHECKOUT_ATTENTION_RETRY_MS: "3600000",
      CHECKOUT_BREAKER_FAILURES: "1000",
    });
    hanging.faults.voidsHang = true;
    const first = await checkout.client.initiateCheckout(checkoutRequest(await newCustomer("retried"), "retried"));
    const checkoutId = first.checkout?.checkoutId ?? "";
    await eventually("the compensation to be flagged", async () => {
      const { checkout: c } = await checkout.client.getCheckout({ checkoutId });
      return c?.needsAttention ? c : undefined;
    });

    hanging.faults.voidsHang = false;
    const { checkout: retried } = await checkout.client.retryCheckout({ checkoutId });
    expect([retried?.status, retried?.needsAttention]).toEqual([CheckoutStatus.FAILED, false]);
    expect(await downstream.effectsOf(checkoutId)).toEqual({ reservations: ["RELEASED"], payments: ["VOIDED"] });

    const again = await checkout.client.retryCheckout({ checkoutId }).catch((err: unknown) => ConnectError.from(err));
    expect(again).toBeInstanceOf(ConnectError);
    expect([(again as ConnectError).code, errorReason(again as ConnectError)]).toEqual([
      Code.FailedPrecondition,
      "CHECKOUT_FINISHED",
    ]);
  });
});
