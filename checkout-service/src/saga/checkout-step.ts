import { failed, type SagaStepBody, type StepContext, type StepResult } from "@checkout-saga/shared";
import type { CheckoutFailure, CheckoutRecord } from "../domain/checkout-session.js";
import type { CartClaimPort, InventoryPort, PaymentPort, SessionPatch } from "./ports.js";

/** What the checkout saga's steps call. */
export interface CheckoutStepDeps {
  cart: CartClaimPort;
  inventory: InventoryPort;
  payments: PaymentPort;
  /** How long a charge may stay unsettled before the checkout gives up on it. */
  paymentDeadlineMs: number;
}

export type CheckoutStepContext = StepContext<CheckoutRecord, SessionPatch, CheckoutStepDeps>;
export type CheckoutStepResult = StepResult<SessionPatch, CheckoutFailure>;
/** A step of the checkout saga, as its file holds it (the definition places it: state, retries, pivot). */
export type CheckoutStep = SagaStepBody<CheckoutRecord, SessionPatch, CheckoutStepDeps, CheckoutFailure>;

/** Turns the checkout to compensation, recording why it failed. */
export function compensateWith(
  code: string,
  message: string,
  extra: Pick<CheckoutFailure, "shortages" | "declineCode" | "heldBy"> = {},
  options: { patch?: SessionPatch; reason?: string } = {},
): CheckoutStepResult {
  return failed<SessionPatch, CheckoutFailure>({ code, message, ...extra }, options.patch, options.reason);
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
