import { type Gateway, loadGatewayConfig, startGateway } from "@checkout-saga/gateway";
import { testLogger } from "@checkout-saga/shared/testing";

/**
 * A real gateway in front of a checkout service, where the payment provider's webhooks arrive:
 * dev tokens, no rate limit, on `port` (default: one of its own choosing).
 */
export function startGatewayFor(options: { checkoutUrl: string; paymentUrl: string; port?: number }): Promise<Gateway> {
  return startGateway(
    loadGatewayConfig({
      GATEWAY_PORT: String(options.port ?? 0),
      GATEWAY_HOST: "127.0.0.1",
      AUTH_DEV_TOKENS: "true",
      RATE_LIMIT_PER_MINUTE: "0",
      CHECKOUT_URL: options.checkoutUrl,
      PAYMENT_URL: options.paymentUrl,
    }),
    testLogger("gateway"),
  );
}
