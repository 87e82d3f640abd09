import { createHash } from "node:crypto";
import {
  type Amount,
  checkPaymentMethod,
  failedPrecondition,
  KONBINI_CURRENCY,
  KONBINI_MAX_AMOUNT_MINOR,
  KONBINI_MIN_AMOUNT_MINOR,
  type PaymentMethodFields,
} from "@checkout-saga/shared";
import type { PaymentMethod, ShippingAddress } from "./checkout-session.js";

/** InitiateCheckout as its handler maps it from the wire (field rules already checked). */
export interface InitiateCheckoutInput {
  userId: string;
  idempotencyKey: string;
  paymentMethod?: PaymentMethodFields;
  shippingAddress?: ShippingAddress;
  stepMode: boolean;
  /** Points to redeem; 0: none. */
  points: number;
}

/** An InitiateCheckout the saga can run. */
export interface CheckoutRequest {
  userId: string;
  idempotencyKey: string;
  paymentMethod: PaymentMethod;
  shippingAddress: ShippingAddress;
  stepMode: boolean;
  /** Points to redeem; 0: none. Whether the cart takes them is known once it is priced (redeemPointsFrom). */
  points: number;
}

/** Address fields in the order the fingerprint reads them. */
const ADDRESS_FIELDS: ReadonlyArray<keyof ShippingAddress> = [
  "name",
  "phone",
  "postalCode",
  "region",
  "city",
  "line1",
  "line2",
  "country",
];

/**
 * InitiateCheckout as the saga takes it. Its field rules (checkout.proto: user id, key, payment
 * method, address) were checked before the handler ran, so this only takes the shape apart:
 * nothing is trimmed or reworded, and what was fingerprinted is what was asked for. Before
 * anything is reserved it refuses what the payment would refuse anyway: a method whose fields do
 * not fit together (INVALID_PAYMENT_METHOD, the provider's own rule). Whether konbini takes the
 * total is known only once the cart is priced (checkPaymentTakesTotal).
 */
export function parseCheckoutRequest(input: InitiateCheckoutInput): CheckoutRequest {
  const { paymentMethod, shippingAddress } = input;
  // Both are `required` by the rules: missing here means a caller bypassed them, a bug of ours.
  if (!paymentMethod || !shippingAddress) {
    throw new Error("InitiateCheckout reached the saga without its payment method or address");
  }
  checkPaymentMethod(paymentMethod);
  return {
    userId: input.userId,
    idempotencyKey: input.idempotencyKey,
    // The field rule allows only these two types; checkPaymentMethod held their fields together.
    paymentMethod:
      paymentMethod.type === "konbini"
        ? { type: "konbini", ...(paymentMethod.store === undefined ? {} : { store: paymentMethod.store }) }
        : { type: "card", token: paymentMethod.token },
    shippingAddress: { ...shippingAddress },
    stepMode: input.stepMode,
    points: input.points,
  };
}

/**
 * Refuses, before anything is reserved, a konbini checkout whose priced total (what is left after
 * points) the provider would refuse (JPY only, ¥120..¥300,000: shared/konbini.ts):
 * FAILED_PRECONDITION (a 422), naming the limits. A card takes any total; a total of zero (paid
 * in points) takes no payment at all.
 */
export function checkPaymentTakesTotal(method: PaymentMethod, total: Amount): void {
  if (method.type !== "konbini" || total.amountMinor === 0) return;
  if (total.currency !== KONBINI_CURRENCY) {
    throw failedPrecondition(
      "KONBINI_CURRENCY_UNSUPPORTED",
      `konbini takes ${KONBINI_CURRENCY} only; this cart is priced in ${total.currency}`,
      { metadata: { field: "payment_method.type", currency: total.currency, accepted: KONBINI_CURRENCY } },
    );
  }
  if (total.amountMinor < KONBINI_MIN_AMOUNT_MINOR || total.amountMinor > KONBINI_MAX_AMOUNT_MINOR) {
    throw failedPrecondition(
      "KONBINI_AMOUNT_OUT_OF_RANGE",
      `konbini takes totals of ¥${KONBINI_MIN_AMOUNT_MINOR} to ¥${KONBINI_MAX_AMOUNT_MINOR}; this one is ¥${total.amountMinor}`,
      {
        metadata: {
          field: "payment_method.type",
          amount_minor: String(total.amountMinor),
          min_amount_minor: String(KONBINI_MIN_AMOUNT_MINOR),
          max_amount_minor: String(KONBINI_MAX_AMOUNT_MINOR),
        },
      },
    );
  }
}

/**
 * What makes two requests "the same" for an idempotency key: SHA-256 of a canonical JSON of
 * the payment method, address, step mode and points (keys in a fixed order). Points enter only
 * when some are redeemed, so keys stored before points existed still match their requests.
 */
export function requestFingerprint(request: CheckoutRequest): string {
  const a = request.shippingAddress;
  const canonical = JSON.stringify([
    ["payment_method", paymentMethodFingerprint(request.paymentMethod)],
    ["shipping_address", ADDRESS_FIELDS.map((field) => a[field])],
    ["step_mode", request.stepMode],
    ...(request.points > 0 ? [["points", request.points]] : []),
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

/** A card's fingerprint is what it always was (type, token), so keys stored before konbini still match. */
const paymentMethodFingerprint = (method: PaymentMethod): string[] =>
  method.type === "card" ? [method.type, method.token] : [method.type, "", method.store ?? ""];
