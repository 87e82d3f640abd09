import { ConfigError, type EnvReader } from "./config.js";

/**
 * The payment provider's notifications as they travel (contract: "Webhooks"): a JSON body POSTed
 * to the gateway, signed per the Standard Webhooks spec (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`) with PAYMENT_WEBHOOK_SECRET. The sender (payment-service) and the
 * receiver (gateway) both read these names, so they cannot drift apart.
 */
export const PAYMENT_WEBHOOK_TYPES = ["payment.succeeded", "payment.expired", "payment.failed"] as const;
export type PaymentWebhookType = (typeof PAYMENT_WEBHOOK_TYPES)[number];

/** The body of every payment notification. */
export interface PaymentWebhookBody {
  type: PaymentWebhookType;
  /** When the payment's outcome changed (ISO 8601), not when this attempt was sent. */
  timestamp: string;
  data: {
    payment_id: string;
    checkout_id: string;
    amount: { currency: string; amount_minor: number };
  };
}

/** Where the gateway takes payment notifications; the provider's default PAYMENT_WEBHOOK_URL points here. */
export const PAYMENT_WEBHOOK_PATH = "/api/v1/webhooks/payments";

/**
 * The signing secret both sides fall back to in dev mode (AUTH_DEV_TOKENS=true, as embedded mode
 * sets) when PAYMENT_WEBHOOK_SECRET is not given, as the gateway does with JWT_SECRET; never
 * acceptable otherwise. Standard Webhooks format: `whsec_` and base64 of 32 bytes.
 */
export const DEV_PAYMENT_WEBHOOK_SECRET = "whsec_Y2hlY2tvdXQtc2FnYS1kZXYtd2ViaG9vay1zZWNyZXQ=";

const WEBHOOK_SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/**
 * PAYMENT_WEBHOOK_SECRET, as the provider (which signs) and the gateway (which verifies) both read
 * it: required, unless dev mode (AUTH_DEV_TOKENS=true) lets both fall back to the dev secret, as
 * the gateway does with JWT_SECRET. Standard Webhooks format: `whsec_` and the base64 of 24 to 64
 * bytes (the spec's range for a key).
 */
export function readPaymentWebhookSecret(e: EnvReader, devMode: boolean): { secret: string; usesDevSecret: boolean } {
  const given = e.optionalString("PAYMENT_WEBHOOK_SECRET");
  if (given === undefined) {
    if (!devMode) {
      throw new ConfigError("PAYMENT_WEBHOOK_SECRET is required (only AUTH_DEV_TOKENS=true allows the dev default)");
    }
    return { secret: DEV_PAYMENT_WEBHOOK_SECRET, usesDevSecret: true };
  }
  const key = WEBHOOK_SECRET.exec(given)?.[1];
  const bytes = key === undefined ? 0 : Buffer.from(key, "base64").length;
  if (bytes < 24 || bytes > 64) {
    throw new ConfigError("PAYMENT_WEBHOOK_SECRET must be whsec_ followed by the base64 of 24 to 64 random bytes");
  }
  return { secret: given, usesDevSecret: false };
}
