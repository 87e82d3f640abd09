import { createHash } from "node:crypto";
import type { Amount } from "@checkout-saga/shared";
import type { PaymentMethod } from "./payment.js";

/**
 * What a caller asks to be charged, after mapping from the wire. Its field rules (payment.proto:
 * key, checkout id, a positive amount in an ISO 4217 currency, a card with a token) were checked
 * before the handler ran.
 */
export interface ChargeRequest {
  idempotencyKey: string;
  checkoutId: string;
  amount: Amount;
  method: PaymentMethod;
}

/**
 * A digest of everything that makes two charges "the same request" (the key excluded), stored
 * with the payment so a key reused for a different charge is recognised.
 */
export function requestFingerprint(request: ChargeRequest): string {
  const parts = [
    request.checkoutId,
    request.amount.currency,
    request.amount.amountMinor,
    request.method.type,
    request.method.token,
  ];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}
