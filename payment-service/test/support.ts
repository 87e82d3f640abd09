import { createServiceClient, createServiceTransport, errorDetail, type Logger } from "@checkout-saga/shared";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { testLogger } from "@checkout-saga/shared/testing";
import { ConnectError } from "@connectrpc/connect";
import { loadPaymentConfig, startPaymentService } from "../src/index.js";

type PaymentDeps = NonNullable<Parameters<typeof startPaymentService>[2]>;

/** The webhook secret tests sign and verify with: whsec_ and the base64 of 32 bytes. */
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from("payment-service-test-webhook-key").toString("base64")}`;

/**
 * A real payment service on a free port against `databaseUrl`, and a Connect client to it.
 * Webhooks go nowhere (they wait in the database) unless `env` gives PAYMENT_WEBHOOK_URL;
 * points are earned only when `deps.events` gives a bus to consume.
 */
export async function startTestPaymentService(
  databaseUrl: string,
  env: Record<string, string> = {},
  logger: Logger = testLogger("payment-service"),
  deps: PaymentDeps = {},
) {
  const config = loadPaymentConfig({
    PAYMENT_PORT: "0",
    PAYMENT_DATABASE_URL: databaseUrl,
    PAYMENT_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    GATEWAY_PORT: "0",
    ...env,
  });
  const service = await startPaymentService(config, logger, deps);
  const client = createServiceClient(PaymentService, createServiceTransport(`http://127.0.0.1:${service.port}`));
  return { service, client };
}

export type PaymentClient = Awaited<ReturnType<typeof startTestPaymentService>>["client"];

export function chargeRequest(
  idempotencyKey: string,
  overrides: { token?: string; amountMinor?: bigint; currency?: string; type?: string; checkoutId?: string } = {},
) {
  return {
    idempotencyKey,
    checkoutId: overrides.checkoutId ?? `checkout-${idempotencyKey}`,
    amount: { currency: overrides.currency ?? "USD", amountMinor: overrides.amountMinor ?? 129_999n },
    paymentMethod: { type: overrides.type ?? "card", token: overrides.token ?? "tok_visa" },
  };
}

/** A konbini charge: ¥4,480 unless told, no token, any store unless one is named. */
export function konbiniRequest(
  idempotencyKey: string,
  overrides: { amountMinor?: bigint; currency?: string; store?: string; token?: string } = {},
) {
  return {
    idempotencyKey,
    checkoutId: `checkout-${idempotencyKey}`,
    amount: { currency: overrides.currency ?? "JPY", amountMinor: overrides.amountMinor ?? 4_480n },
    paymentMethod: { type: "konbini", token: overrides.token ?? "", store: overrides.store ?? "" },
  };
}

/** Polls `check` until it returns something other than undefined (or `timeoutMs` passes). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The Connect code and ErrorDetail reason a call failed with. */
export async function failureOf(call: Promise<unknown>): Promise<{ code: number; reason: string | undefined }> {
  try {
    await call;
  } catch (err) {
    return { code: ConnectError.from(err).code, reason: errorDetail(err)?.reason };
  }
  throw new Error("expected the call to fail");
}
