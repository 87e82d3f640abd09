import type { CheckoutFailure, CheckoutSession } from "../domain/checkout-session.js";
import type { CheckoutStatus } from "../domain/checkout-state-machine.js";
import type { InventoryPort, PaymentPort, SessionPatch } from "./ports.js";
import type { SagaFaults } from "./saga-faults.js";

/** What a step gets: the checkout as persisted and the services it may call. */
export interface StepContext {
  readonly session: CheckoutSession;
  readonly inventory: InventoryPort;
  readonly payments: PaymentPort;
  /** Makes a downstream call, retrying retryable failures with backoff. */
  call<T>(fn: () => Promise<T>): Promise<T>;
  /** Persists details without moving the checkout. */
  save(patch: SessionPatch): Promise<void>;
  /** Waits, unless the service is stopping. */
  pause(ms: number): Promise<void>;
  now(): Date;
  readonly paymentDeadlineMs: number;
  /** Crash points for fault drills (CHECKOUT_CRASH_AT); a no-op in normal runs. */
  readonly faults: SagaFaults;
}

/** What a step decided: move to a new state, or stay and be retried later (by recovery or a retry). */
export type StepOutcome =
  | { kind: "move"; to: CheckoutStatus; reason: string; patch?: SessionPatch }
  | { kind: "wait"; reason: string };

/**
 * Thrown to stop driving without deciding anything: the service is stopping, or another
 * driver took the checkout over. The persisted state stays valid and resumable.
 */
export class StopDriving extends Error {
  override readonly name = "StopDriving";
}

/** Steps classify downstream failures; a stop request is not one of them. */
export function rethrowIfStopped(err: unknown): void {
  if (err instanceof StopDriving) throw err;
}

/** A forward step's undo, run during compensation. Idempotent; returns what it did, for the history. */
export interface Undo {
  undo(ctx: StepContext): Promise<string>;
}

/** Turns the checkout to compensation, recording why it failed. */
export function compensateWith(
  code: string,
  message: string,
  extra: Pick<CheckoutFailure, "shortages" | "declineCode"> = {},
): StepOutcome {
  return { kind: "move", to: "COMPENSATING", reason: message, patch: { failure: { code, message, ...extra } } };
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
