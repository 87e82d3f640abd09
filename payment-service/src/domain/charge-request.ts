import { createHash } from "node:crypto";
import { type Amount, invalidArgument } from "@checkout-saga/shared";
import { validateKonbiniCharge } from "./konbini.js";
import type { PaymentMethod } from "./payment.js";

/** What a caller asks to be charged, after mapping from the wire. */
export interface ChargeRequest {
  idempotencyKey: string;
  checkoutId: string;
  amount: Amount | undefined;
  method: PaymentMethod | undefined;
}

/** A request that passed validation. */
export interface ValidChargeRequest extends ChargeRequest {
  amount: Amount;
  method: PaymentMethod;
}

const MAX_KEY_LENGTH = 255;
const MAX_TOKEN_LENGTH = 255;

/**
 * Checks a charge request; throws INVALID_ARGUMENT / INVALID_PAYMENT_METHOD naming the field, or
 * konbini's own reasons (see validateKonbiniCharge).
 */
export function validateChargeRequest(request: ChargeRequest): ValidChargeRequest {
  validateIdempotencyKey(request.idempotencyKey);
  if (request.checkoutId === "" || request.checkoutId.length > MAX_KEY_LENGTH) {
    throw badField("checkout_id", `checkout_id is required, at most ${MAX_KEY_LENGTH} characters`);
  }
  const { amount, method } = request;
  if (!amount) throw badField("amount", "amount is required");
  if (!/^[A-Z]{3}$/.test(amount.currency)) {
    throw badField("amount.currency", `currency must be a 3-letter ISO 4217 code, got "${amount.currency}"`);
  }
  if (!Number.isSafeInteger(amount.amountMinor) || amount.amountMinor <= 0) {
    throw badField("amount.amount_minor", "amount_minor must be a positive integer of minor units");
  }
  if (method?.type === "konbini") {
    validateKonbiniCharge(amount, method);
  } else if (method?.type === "card") {
    if (method.token === "" || method.token.length > MAX_TOKEN_LENGTH) {
      throw invalidArgument(
        "INVALID_PAYMENT_METHOD",
        `payment_method.token is required, at most ${MAX_TOKEN_LENGTH} characters`,
        { metadata: { field: "payment_method.token" } },
      );
    }
    if (method.store !== undefined) {
      throw invalidArgument("INVALID_PAYMENT_METHOD", "payment_method.store is for konbini, not cards", {
        metadata: { field: "payment_method.store" },
      });
    }
  } else {
    throw invalidArgument(
      "INVALID_PAYMENT_METHOD",
      `payment_method.type must be "card" or "konbini", got "${method?.type ?? ""}"`,
      { metadata: { field: "payment_method.type" } },
    );
  }
  return { ...request, amount, method };
}

export function validateIdempotencyKey(key: string): void {
  if (key === "" || key.length > MAX_KEY_LENGTH) {
    throw badField("idempotency_key", `idempotency_key is required, 1..${MAX_KEY_LENGTH} characters`);
  }
}

/**
 * A digest of everything that makes two charges "the same request" (the key excluded), stored
 * with the payment so a key reused for a different charge is recognised.
 */
export function requestFingerprint(request: ValidChargeRequest): string {
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

function badField(field: string, message: string) {
  return invalidArgument("INVALID_ARGUMENT", message, { metadata: { field } });
}
