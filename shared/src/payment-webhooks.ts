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
