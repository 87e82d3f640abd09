import { Webhook } from "standardwebhooks";
import type { WebhookDelivery } from "../domain/webhook-delivery.js";

/** One attempt's outcome: the receiver took it (any 2xx), or why not. */
export type SendResult = { delivered: true } | { delivered: false; error: string };

/** POSTs a delivery once; never throws (a failure is a result the worker schedules around). */
export type WebhookSender = (delivery: WebhookDelivery, stopping: AbortSignal) => Promise<SendResult>;

export interface WebhookSenderOptions {
  url: string;
  /** Standard Webhooks secret (`whsec_…`). */
  secret: string;
  /** Longest one attempt may take, connection and answer included. */
  timeoutMs: number;
  /** The signing time (Date.now by default). */
  now?: () => Date;
}

/**
 * Sends webhooks as the Standard Webhooks spec has them, signed by its own library: `webhook-id`
 * is the delivery's id (the same on every attempt, so the receiver can drop a repeat);
 * `webhook-timestamp` and `webhook-signature` are made per attempt, so a retry hours later is
 * not refused as stale by a receiver checking the timestamp's age. Any 2xx is delivered; a
 * redirect is not followed (a receiver that moved is a configuration error, and following it
 * would send the payload somewhere nobody configured), so it fails like any other status.
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const signer = new Webhook(options.secret);
  const now = options.now ?? (() => new Date());
  return async (delivery, stopping) => {
    const signedAt = now();
    try {
      const res = await fetch(options.url, {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/json",
          "user-agent": "checkout-saga-payment-service",
          "webhook-id": delivery.id,
          "webhook-timestamp": String(Math.floor(signedAt.getTime() / 1_000)),
          "webhook-signature": signer.sign(delivery.id, signedAt, delivery.body),
        },
        body: delivery.body,
        signal: AbortSignal.any([stopping, AbortSignal.timeout(options.timeoutMs)]),
      });
      // Only the status matters; dropping the body frees the connection.
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return { delivered: true };
      return { delivered: false, error: `HTTP ${res.status}` };
    } catch (err) {
      return { delivered: false, error: describe(err, stopping, options.timeoutMs) };
    }
  };
}

/** A failed fetch as one line: the timeout, the stop, or the socket error under undici's "fetch failed". */
function describe(err: unknown, stopping: AbortSignal, timeoutMs: number): string {
  if (stopping.aborted) return "interrupted: the service is stopping";
  if (err instanceof Error && err.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  const cause = err instanceof Error ? err.cause : undefined;
  const code = (cause as { code?: string } | undefined)?.code;
  const message = cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
