import { failed, type SagaStepBody, type StepContext, type StepResult } from "@checkout-saga/shared";
import type { CheckoutFailure, CheckoutRecord, PaymentMethod } from "../domain/checkout-session.js";
import type { CartClaimPort, InventoryPort, PaymentPort, PointsPort, SessionPatch } from "./ports.js";

/** What the checkout saga's steps call. */
export interface CheckoutStepDeps {
  cart: CartClaimPort;
  points: PointsPort;
  inventory: InventoryPort;
  payments: PaymentPort;
  /** How long a card charge may stay unsettled before the checkout gives up on it. */
  paymentDeadlineMs: number;
  /** How long a konbini voucher lasts (KONBINI_EXPIRES_AFTER_SECONDS, the provider's setting). */
  konbiniExpiresAfterMs: number;
  /**
   * What is added to a payment's deadline for the stock's hold and the saga's patience: the
   * provider expires a voucher on read, so waiting a little past it settles it either way.
   */
  paymentMarginMs: number;
}

/**
 * How long the payment may still succeed after the charge starts: a card's deadline, or a konbini
 * voucher's life. The reservation is held at least this long plus the margin, twice over: once
 * for the time between reserving and charging, once for a notification that arrives late.
 */
export function paymentWindowMs(deps: CheckoutStepDeps, method: PaymentMethod): number {
  return method.type === "konbini" ? deps.konbiniExpiresAfterMs : deps.paymentDeadlineMs;
}

export type CheckoutStepContext = StepContext<CheckoutRecord, SessionPatch, CheckoutStepDeps>;
export type CheckoutStepResult = StepResult<SessionPatch, CheckoutFailure>;
/** A step of the checkout saga, as its file holds it (the definition places it: state, retries, pivot). */
export type CheckoutStep = SagaStepBody<CheckoutRecord, SessionPatch, CheckoutStepDeps, CheckoutFailure>;

/** Turns the checkout to compensation, recording why it failed. */
export function compensateWith(
  code: string,
  message: string,
  extra: Pick<CheckoutFailure, "shortages" | "declineCode" | "heldBy" | "pointsBalance"> = {},
  options: { patch?: SessionPatch; reason?: string } = {},
): CheckoutStepResult {
  return failed<SessionPatch, CheckoutFailure>({ code, message, ...extra }, options.patch, options.reason);
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
