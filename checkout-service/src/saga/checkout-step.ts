import { failed, type SagaStep, type StepContext, type StepResult } from "@checkout-saga/shared";
import type { CheckoutFailure, CheckoutSession } from "../domain/checkout-session.js";
import type { CheckoutStatus } from "../domain/checkout-status.js";
import type { InventoryPort, PaymentPort, SessionPatch } from "./ports.js";

/** What the checkout saga's steps call. */
export interface CheckoutStepDeps {
  inventory: InventoryPort;
  payments: PaymentPort;
  /** How long a charge may stay unsettled before the checkout gives up on it. */
  paymentDeadlineMs: number;
}

export type CheckoutStepContext = StepContext<CheckoutSession, SessionPatch, CheckoutStepDeps>;
export type CheckoutStepResult = StepResult<SessionPatch, CheckoutFailure>;
export type CheckoutStep = SagaStep<CheckoutStatus, CheckoutSession, SessionPatch, CheckoutStepDeps, CheckoutFailure>;

/** Turns the checkout to compensation, recording why it failed. */
export function compensateWith(
  code: string,
  message: string,
  extra: Pick<CheckoutFailure, "shortages" | "declineCode"> = {},
  options: { patch?: SessionPatch; reason?: string } = {},
): CheckoutStepResult {
  return failed<SessionPatch, CheckoutFailure>({ code, message, ...extra }, options.patch, options.reason);
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
