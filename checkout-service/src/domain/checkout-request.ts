import { createHash } from "node:crypto";
import { invalidArgument } from "@checkout-saga/shared";
import type { PaymentMethod, ShippingAddress } from "./checkout-session.js";

/** InitiateCheckout as it arrives, before validation. */
export interface InitiateCheckoutInput {
  userId: string;
  idempotencyKey: string;
  paymentMethod?: { type: string; token: string };
  shippingAddress?: ShippingAddress;
  stepMode: boolean;
}

/** A validated, normalized InitiateCheckout. */
export interface CheckoutRequest {
  userId: string;
  idempotencyKey: string;
  paymentMethod: PaymentMethod;
  shippingAddress: ShippingAddress;
  stepMode: boolean;
}

const MAX_USER_ID = 128;
const MAX_TOKEN = 255;
const PRINTABLE_ASCII_KEY = /^[\x20-\x7E]{1,255}$/;
const PHONE = /^\+?[0-9 ().-]{4,32}$/;

/** Address fields: [field, required, max length]. */
const ADDRESS_FIELDS: ReadonlyArray<[keyof ShippingAddress, boolean, number]> = [
  ["name", true, 100],
  ["phone", true, 32],
  ["postalCode", true, 16],
  ["region", true, 100],
  ["city", true, 100],
  ["line1", true, 200],
  ["line2", false, 200],
  ["country", true, 2],
];

const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Validates and normalizes (trims) a request; errors name the offending field in metadata. */
export function parseCheckoutRequest(input: InitiateCheckoutInput): CheckoutRequest {
  const userId = input.userId.trim();
  if (userId === "" || userId.length > MAX_USER_ID) {
    throw invalidArgument("INVALID_ARGUMENT", `user_id is required (at most ${MAX_USER_ID} characters)`, {
      metadata: { field: "user_id" },
    });
  }
  if (!PRINTABLE_ASCII_KEY.test(input.idempotencyKey)) {
    throw invalidArgument("INVALID_ARGUMENT", "idempotency_key must be 1..255 printable ASCII characters", {
      metadata: { field: "idempotency_key" },
    });
  }
  return {
    userId,
    idempotencyKey: input.idempotencyKey,
    paymentMethod: parsePaymentMethod(input.paymentMethod),
    shippingAddress: parseAddress(input.shippingAddress),
    stepMode: input.stepMode,
  };
}

function parsePaymentMethod(method: InitiateCheckoutInput["paymentMethod"]): PaymentMethod {
  const invalid = (field: string, message: string) =>
    invalidArgument("INVALID_PAYMENT_METHOD", message, { metadata: { field: `payment_method.${field}` } });
  if (!method) {
    throw invalidArgument("INVALID_PAYMENT_METHOD", "payment_method is required", {
      metadata: { field: "payment_method" },
    });
  }
  if (method.type.trim() !== "card") throw invalid("type", 'payment_method.type must be "card"');
  const token = method.token.trim();
  if (token === "" || token.length > MAX_TOKEN || !PRINTABLE_ASCII_KEY.test(token)) {
    throw invalid("token", `payment_method.token is required (at most ${MAX_TOKEN} printable characters)`);
  }
  return { type: "card", token };
}

function parseAddress(address: InitiateCheckoutInput["shippingAddress"]): ShippingAddress {
  const invalid = (field: string, message: string) =>
    invalidArgument("INVALID_ADDRESS", message, { metadata: { field: `shipping_address.${snake(field)}` } });
  if (!address) {
    throw invalidArgument("INVALID_ADDRESS", "shipping_address is required", {
      metadata: { field: "shipping_address" },
    });
  }
  const out = {} as ShippingAddress;
  for (const [field, required, max] of ADDRESS_FIELDS) {
    const value = address[field].trim();
    const name = `shipping_address.${snake(field)}`;
    if (required && value === "") throw invalid(field, `${name} is required`);
    if (value.length > max) throw invalid(field, `${name} must be at most ${max} characters`);
    out[field] = value;
  }
  if (!/^[A-Z]{2}$/.test(out.country)) {
    throw invalid("country", "shipping_address.country must be an ISO 3166-1 alpha-2 code in upper case, e.g. US");
  }
  if (!PHONE.test(out.phone)) throw invalid("phone", "shipping_address.phone is not a phone number");
  return out;
}

/**
 * What makes two requests "the same" for an idempotency key: SHA-256 of a canonical JSON of
 * the normalized payment method, address and step mode (keys in a fixed order).
 */
export function requestFingerprint(request: CheckoutRequest): string {
  const a = request.shippingAddress;
  const canonical = JSON.stringify([
    ["payment_method", [request.paymentMethod.type, request.paymentMethod.token]],
    ["shipping_address", ADDRESS_FIELDS.map(([field]) => a[field])],
    ["step_mode", request.stepMode],
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}
