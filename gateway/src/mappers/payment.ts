import { type Payment, PaymentStatus } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import type { DevPaymentJson } from "../openapi/schemas.js";
import { isoTime, moneyJson } from "./json.js";

/** A paid konbini payment as the dev pay route shows it. */
export function devPaymentJson(p: Payment): DevPaymentJson {
  return {
    payment_id: p.paymentId,
    checkout_id: p.checkoutId,
    status: p.status === PaymentStatus.REFUNDED ? "REFUNDED" : "SUCCEEDED",
    amount: moneyJson(p.amount),
    ...(p.konbini
      ? {
          konbini: {
            confirmation_number: p.konbini.confirmationNumber,
            ...(p.konbini.store ? { store: p.konbini.store } : {}),
            expires_at: isoTime(p.konbini.expiresAt),
            paid_at: isoTime(p.konbini.paidAt),
          },
        }
      : {}),
  };
}
