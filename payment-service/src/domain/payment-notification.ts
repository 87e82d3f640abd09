import type { PaymentWebhookBody, PaymentWebhookType } from "@checkout-saga/shared";
import { isVoidedBeforeCharge, type Payment } from "./payment.js";

/** A webhook to deliver because a payment's outcome changed: written with that change, in its transaction. */
export interface PaymentNotification {
  paymentId: string;
  type: PaymentWebhookType;
  /** When the outcome changed: the body's timestamp, and where the delivery's retry window starts. */
  at: Date;
  body: PaymentWebhookBody;
}

/** A payment as a change leaves it, and the notification that change owes the merchant, if any. */
export interface PaymentChange {
  payment: Payment;
  notification?: PaymentNotification;
}

const typeByOutcome: Partial<Record<Payment["status"], PaymentWebhookType>> = {
  SUCCEEDED: "payment.succeeded",
  EXPIRED: "payment.expired",
  // A pending voucher cancelled by VoidCharge will never be paid: for the merchant it failed.
  VOIDED: "payment.failed",
};

/**
 * What moving a payment from `before` to `after` at `at` owes the merchant: a pending payment
 * that got its outcome (paid, expired, cancelled) is announced; nothing else is (a card's outcome
 * is in its Charge's answer, and a refund is the merchant's own doing).
 */
export function paymentChange(before: Payment, after: Payment, at: Date): PaymentChange {
  const type = typeByOutcome[after.status];
  if (before.status !== "PENDING" || after.status === before.status || !type || isVoidedBeforeCharge(after)) {
    return { payment: after };
  }
  return {
    payment: after,
    notification: {
      paymentId: after.id,
      type,
      at,
      body: {
        type,
        timestamp: at.toISOString(),
        data: {
          payment_id: after.id,
          checkout_id: after.checkoutId,
          amount: { currency: after.amount.currency, amount_minor: after.amount.amountMinor },
        },
      },
    },
  };
}
