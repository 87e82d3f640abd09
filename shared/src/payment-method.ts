import { invalidArgument } from "./errors.js";

/** A payment method as the services pass it around: PaymentMethod's fields, `store` absent when empty. */
export interface PaymentMethodFields {
  /** "card" or "konbini" (the field rule's list). */
  type: string;
  /** card: its token; konbini: empty. */
  token: string;
  /** konbini only, optional: the chain the customer means to pay at. */
  store?: string;
}

/**
 * What PaymentMethod's field rules cannot say, since it spans its fields: a card needs a token
 * and names no store; konbini takes no token. The rules have already held each field to its
 * form (type in the list, token and store well-formed when given). Throws INVALID_ARGUMENT,
 * reason INVALID_PAYMENT_METHOD, naming the field. The payment provider applies it to every
 * Charge; a checkout applies it before it reserves anything.
 */
export function checkPaymentMethod(method: PaymentMethodFields): void {
  const refuse = (field: string, message: string) =>
    invalidArgument("INVALID_PAYMENT_METHOD", message, { metadata: { field: `payment_method.${field}` } });
  if (method.type === "konbini") {
    if (method.token !== "") throw refuse("token", "payment_method.token is for cards; konbini takes none");
    return;
  }
  if (method.token === "") throw refuse("token", "payment_method.token is required for a card");
  if (method.store !== undefined) throw refuse("store", "payment_method.store is for konbini, not cards");
}
