import type { DeclineCode, PaymentMethod } from "./payment.js";

/** A number in [0, 1), like Math.random; injected so tests can choose the draw. */
export type RandomSource = () => number;

export type ChargeOutcome =
  | { status: "SUCCEEDED" }
  | { status: "PENDING" }
  | { status: "DECLINED"; declineCode: DeclineCode; declineMessage: string };

const declineMessages: Record<DeclineCode, string> = {
  card_declined: "The card was declined.",
  insufficient_funds: "The card has insufficient funds.",
  expired_card: "The card has expired.",
  invalid_token: "The card token is not recognised.",
  processing_error: "The payment processor failed to complete the charge.",
};

/** The mock gateway's test tokens (as in Stripe's test mode). */
const tokenOutcomes: Record<string, "SUCCEEDED" | DeclineCode> = {
  tok_visa: "SUCCEEDED",
  tok_mastercard: "SUCCEEDED",
  tok_chargeDeclined: "card_declined",
  tok_insufficientFunds: "insufficient_funds",
  tok_expiredCard: "expired_card",
};

/**
 * Decides a new charge. One draw per charge: with probability `failureRate` the simulated
 * processor fails before the method is looked at (decline `processing_error`). Otherwise konbini
 * is PENDING (the customer pays later, at the store), and a card's token decides: a token outside
 * the table is declined `invalid_token` — a decline, not an error, because a real gateway also
 * answers an unknown card with a decline the saga must handle.
 */
export function decideChargeOutcome(method: PaymentMethod, failureRate: number, random: RandomSource): ChargeOutcome {
  if (random() < failureRate) return declined("processing_error");
  if (method.type === "konbini") return { status: "PENDING" };
  const outcome = Object.hasOwn(tokenOutcomes, method.token) ? tokenOutcomes[method.token] : undefined;
  if (outcome === "SUCCEEDED") return { status: "SUCCEEDED" };
  return declined(outcome ?? "invalid_token");
}

function declined(declineCode: DeclineCode): ChargeOutcome {
  return { status: "DECLINED", declineCode, declineMessage: declineMessages[declineCode] };
}
