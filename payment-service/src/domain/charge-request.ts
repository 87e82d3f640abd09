import { createHash } from "node:crypto";
import { type Amount, checkPaymentMethod } from "@checkout-saga/shared";
import { validateKonbiniCharge } from "./konbini.js";
import type { PaymentMethod } from "./payment.js";

/**
 * What a caller asks to be charged, after mapping from the wire. Its field rules (payment.proto:
 * key, checkout id, a positive amount in an ISO 4217 currency, a method of a known type, a token
 * and a store well-formed when given) were checked before the handler ran.
 */
export interface ChargeRequest {
  idempotencyKey: string;
  checkoutId: string;
  amount: Amount;
  method: PaymentMethod;
}

/**
 * What the field rules leave to the business, since it spans fields: the method's own coherence
 * (a card needs a token and names no store, konbini takes no token: shared checkPaymentMethod,
 * INVALID_PAYMENT_METHOD) and konbini's yen and ¥120..¥300,000 (validateKonbiniCharge, with its
 * own reasons). Throws INVALID_ARGUMENT naming the field.
 */
export function checkChargeMethod(amount: Amount, method: PaymentMethod): void {
  checkPaymentMethod(method);
  if (method.type === "konbini") validateKonbiniCharge(amount);
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
    // Only konbini names a store; a card's digest stays what it was before stores existed, so a
    // card charge replayed across that upgrade still matches its payment.
    ...(request.method.type === "konbini" ? [request.method.store ?? ""] : []),
  ];
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex");
}
