import { createHash } from "node:crypto";
import { checkPaymentMethod, failedPrecondition, type PaymentMethodFields } from "@checkout-saga/shared";
import type { PaymentMethod, ShippingAddress } from "./checkout-session.js";

/** InitiateCheckout as its handler maps it from the wire (field rules already checked). */
export interface InitiateCheckoutInput {
  userId: string;
  idempotencyKey: string;
  paymentMethod?: PaymentMethodFields;
  shippingAddress?: ShippingAddress;
  stepMode: boolean;
}

/** An InitiateCheckout the saga can run. */
export interface CheckoutRequest {
  userId: string;
  idempotencyKey: string;
  paymentMethod: PaymentMethod;
  shippingAddress: ShippingAddress;
  stepMode: boolean;
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
 * not fit together (INVALID_PAYMENT_METHOD, the provider's own rule), and a method the saga does
 * not run yet (PAYMENT_METHOD_NOT_OFFERED: konbini, whose charge answers PENDING and settles by
 * webhook, has no checkout flow so far).
 */
export function parseCheckoutRequest(input: InitiateCheckoutInput): CheckoutRequest {
  const { paymentMethod, shippingAddress } = input;
  // Both are `required` by the rules: missing here means a caller bypassed them, a bug of ours.
  if (!paymentMethod || !shippingAddress) {
    throw new Error("InitiateCheckout reached the saga without its payment method or address");
  }
  checkPaymentMethod(paymentMethod);
  if (paymentMethod.type !== "card") {
    throw failedPrecondition(
      "PAYMENT_METHOD_NOT_OFFERED",
      `checkout does not take payment_method.type "${paymentMethod.type}" yet; pay by card`,
      { metadata: { field: "payment_method.type", type: paymentMethod.type } },
    );
  }
  return {
    userId: input.userId,
    idempotencyKey: input.idempotencyKey,
    // A card, with its token and no store (checked just above).
    paymentMethod: { type: "card", token: paymentMethod.token },
    shippingAddress: { ...shippingAddress },
    stepMode: input.stepMode,
  };
}

/**
 * What makes two requests "the same" for an idempotency key: SHA-256 of a canonical JSON of
 * the payment method, address and step mode (keys in a fixed order).
 */
export function requestFingerprint(request: CheckoutRequest): string {
  const a = request.shippingAddress;
  const canonical = JSON.stringify([
    ["payment_method", [request.paymentMethod.type, request.paymentMethod.token]],
    ["shipping_address", ADDRESS_FIELDS.map((field) => a[field])],
    ["step_mode", request.stepMode],
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}
