import {
  type Amount,
  invalidArgument,
  KONBINI_CURRENCY,
  KONBINI_MAX_AMOUNT_MINOR,
  KONBINI_MIN_AMOUNT_MINOR,
} from "@checkout-saga/shared";

/** A whole number in [min, max), drawn from a cryptographic source (node:crypto's randomInt). */
export type RandomInt = (min: number, max: number) => number;

/**
 * A new confirmation number: 11 digits, the first never 0 (so nothing that reads it as a number
 * loses a digit), the form PayKonbiniRequest's field rule accepts. Drawn from a cryptographic
 * source: it is all a customer needs to pay, so it must not be guessable from others.
 * Uniqueness is the store's: a clash is retried with a new draw.
 */
export function newConfirmationNumber(randomInt: RandomInt): string {
  return String(randomInt(10_000_000_000, 100_000_000_000));
}

/** When a voucher issued at `at` stops being payable. */
export function voucherExpiry(at: Date, expiresAfterSeconds: number): Date {
  return new Date(at.getTime() + expiresAfterSeconds * 1_000);
}

/**
 * The totals konbini takes: JPY only, ¥120..¥300,000. Refusals are INVALID_ARGUMENT with their
 * own reasons, so a checkout can tell the customer why konbini is not on offer for this total.
 * (The chains a konbini payment may name are a field rule; its lack of a token, checkPaymentMethod.)
 */
export function validateKonbiniCharge(amount: Amount): void {
  if (amount.currency !== KONBINI_CURRENCY) {
    throw invalidArgument(
      "KONBINI_CURRENCY_UNSUPPORTED",
      `konbini takes ${KONBINI_CURRENCY} only, not ${amount.currency}`,
      { metadata: { field: "amount.currency", currency: amount.currency, supported_currency: KONBINI_CURRENCY } },
    );
  }
  if (amount.amountMinor < KONBINI_MIN_AMOUNT_MINOR || amount.amountMinor > KONBINI_MAX_AMOUNT_MINOR) {
    throw invalidArgument(
      "KONBINI_AMOUNT_OUT_OF_RANGE",
      `konbini takes totals of ¥${KONBINI_MIN_AMOUNT_MINOR}..¥${KONBINI_MAX_AMOUNT_MINOR}, not ¥${amount.amountMinor}`,
      {
        metadata: {
          field: "amount.amount_minor",
          min_amount_minor: String(KONBINI_MIN_AMOUNT_MINOR),
          max_amount_minor: String(KONBINI_MAX_AMOUNT_MINOR),
        },
      },
    );
  }
}
