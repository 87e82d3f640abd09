import { type Checkout, CheckoutStatus } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { type AdminCheckoutJson, CHECKOUT_STATUSES, type CheckoutJson } from "../openapi/schemas.js";
import { isoTime, moneyJson, totalsJson } from "./json.js";

/** "INVENTORY_RESERVED": the plain state name, as the contract's state machine spells it. */
export function statusName(s: CheckoutStatus): CheckoutJson["status"] {
  const name = CheckoutStatus[s];
  return (CHECKOUT_STATUSES as readonly string[]).includes(name) ? (name as CheckoutJson["status"]) : "UNSPECIFIED";
}

/** A checkout as JSON; `history` only where the caller asked for the full record. */
export function checkoutJson(c: Checkout, options: { history: boolean }): CheckoutJson {
  const failure = c.failure;
  const paymentDeadline = isoTime(c.paymentDeadline);
  return {
    checkout_id: c.checkoutId,
    status: statusName(c.status),
    total: moneyJson(c.total),
    totals: totalsJson(c.totals, c.total),
    items: c.items.map((i) => {
      const unit = moneyJson(i.unitPrice);
      return {
        product_id: i.productId,
        name: i.name,
        quantity: i.quantity,
        unit_price: unit,
        subtotal: { currency: unit.currency, amount_minor: unit.amount_minor * i.quantity },
      };
    }),
    ...(failure?.code ? { failure_reason: failure.code, failure_detail: failure.message } : {}),
    ...(failure?.declineCode ? { decline_code: failure.declineCode } : {}),
    ...(paymentDeadline && c.status === CheckoutStatus.PAYMENT_PENDING ? { payment_deadline: paymentDeadline } : {}),
    ...nextActionJson(c),
    created_at: isoTime(c.createdAt),
    updated_at: isoTime(c.updatedAt),
    ...(options.history
      ? {
          history: c.history.map((t) => ({
            from: statusName(t.from),
            to: statusName(t.to),
            reason: t.reason,
            at: isoTime(t.at),
          })),
        }
      : {}),
  };
}

/** A checkout as operators see it: the customer's view plus whose it is, its saga's ids and its attention flag. */
export function adminCheckoutJson(c: Checkout, options: { history: boolean }): AdminCheckoutJson {
  return {
    ...checkoutJson(c, options),
    user_id: c.userId,
    reservation_id: c.reservationId,
    payment_id: c.paymentId,
    step_mode: c.stepMode,
    needs_attention: c.needsAttention,
  };
}

/** While a konbini payment waits: the voucher the customer takes to the store (contract: `next_action`). */
function nextActionJson(c: Checkout): Pick<CheckoutJson, "next_action"> {
  const konbini = c.nextAction?.konbini;
  const expiresAt = isoTime(konbini?.expiresAt);
  if (c.status !== CheckoutStatus.PAYMENT_PENDING || c.nextAction?.type !== "konbini_display_details" || !konbini) {
    return {};
  }
  if (!expiresAt) return {};
  return {
    next_action: {
      type: "konbini_display_details",
      konbini: {
        confirmation_number: konbini.confirmationNumber,
        ...(konbini.store ? { store: konbini.store } : {}),
        expires_at: expiresAt,
      },
    },
  };
}
