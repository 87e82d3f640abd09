import { createServiceClient, createServiceTransport, errorDetail, type Logger } from "@checkout-saga/shared";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { testLogger } from "@checkout-saga/shared/testing";
import { ConnectError } from "@connectrpc/connect";
import { loadPaymentConfig, startPaymentService } from "../src/index.js";

/** A real payment service on a free port against `databaseUrl`, and a Connect client to it. */
export async function startTestPaymentService(
  databaseUrl: string,
  env: Record<string, string> = {},
  logger: Logger = testLogger("payment-service"),
) {
  const config = loadPaymentConfig({ PAYMENT_PORT: "0", PAYMENT_DATABASE_URL: databaseUrl, ...env });
  const service = await startPaymentService(config, logger);
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

/** The Connect code and ErrorDetail reason a call failed with. */
export async function failureOf(call: Promise<unknown>): Promise<{ code: number; reason: string | undefined }> {
  try {
    await call;
  } catch (err) {
    return { code: ConnectError.from(err).code, reason: errorDetail(err)?.reason };
  }
  throw new Error("expected the call to fail");
}
