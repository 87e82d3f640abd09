import {
  createSagaDriver,
  defineSaga,
  isFinal,
  type Logger,
  type RetryPolicy,
  type SagaDriver,
  type SagaFaults,
  type SagaObserver,
  type SagaStates,
  sagaMachine,
} from "@checkout-saga/shared";
import type { CheckoutFailure, CheckoutSession } from "../domain/checkout-session.js";
import type { CheckoutStatus } from "../domain/checkout-status.js";
import { checkoutEndedEvent } from "./checkout-events.js";
import type { CheckoutStepDeps } from "./checkout-step.js";
import type { Clock, OutboxMessage, SagaStore, SessionPatch } from "./ports.js";
import { chargePayment } from "./steps/charge-payment.js";
import { confirmReservation } from "./steps/confirm-reservation.js";
import { reserveStock } from "./steps/reserve-stock.js";
import { startCharge } from "./steps/start-charge.js";

/** How the steps retry their downstream calls (from config; tests shorten them). */
export interface CheckoutStepPolicies {
  /** Retries of one downstream call on retryable codes. */
  calls: RetryPolicy;
}

/**
 * The checkout saga, top to bottom. Each step's file holds its action and its undo; the
 * transition table, the compensation order, step mode, spans, metrics and the docs' diagram
 * are derived from this list.
 */
export const checkoutSaga = (policies: CheckoutStepPolicies) =>
  defineSaga<CheckoutStatus, CheckoutSession, SessionPatch, CheckoutStepDeps, CheckoutFailure>({
    name: "checkout",
    initial: "INITIATED",
    steps: [
      { ...reserveStock, retry: policies.calls },
      startCharge,
      { ...chargePayment, retry: policies.calls, pivot: true },
      { ...confirmReservation, retry: policies.calls },
    ],
    compensating: "COMPENSATING",
    failed: "FAILED",
  });

/** The default policies: what the service runs with unless configured otherwise. */
export const DEFAULT_STEP_POLICIES: CheckoutStepPolicies = {
  calls: { attempts: 4, baseDelayMs: 200, maxDelayMs: 2_000 },
};

/** The checkout's state machine, derived from the definition. */
export const checkoutMachine = sagaMachine(checkoutSaga(DEFAULT_STEP_POLICIES));

/** COMPLETED and FAILED are final: nothing moves a checkout out of them. */
export const isFinished = (status: CheckoutStatus): boolean => isFinal(checkoutMachine, status);

// Compile-time check: the definition's states are exactly the persisted CheckoutStatus values.
type DefinedStatus = SagaStates<ReturnType<typeof checkoutSaga>>;
const statesMatch: [DefinedStatus] extends [CheckoutStatus]
  ? [CheckoutStatus] extends [DefinedStatus]
    ? true
    : never
  : never = true;
void statesMatch;

export interface SagaSettings {
  leaseMs: number;
  paymentDeadlineMs: number;
  steps: CheckoutStepPolicies;
  /** Passes of a compensation before it is flagged as needing attention. */
  compensationRetry: RetryPolicy;
}

export interface CheckoutSagaDeps {
  store: SagaStore;
  inventory: CheckoutStepDeps["inventory"];
  payments: CheckoutStepDeps["payments"];
  clock: Clock;
  logger: Logger;
  settings: SagaSettings;
  /** Aborted when the service stops: drivers stop between (or abandon) downstream calls. */
  signal: AbortSignal;
  /** Crash points for fault drills (CHECKOUT_CRASH_AT); omitted, nothing happens. */
  faults?: SagaFaults;
  /** Told about every persisted transition (metrics). */
  observer?: SagaObserver<CheckoutStatus>;
}

export type CheckoutSaga = SagaDriver<CheckoutStatus, CheckoutSession>;

/** The checkout saga on the shared engine, wired to its store and downstream services. */
export function createCheckoutSaga(deps: CheckoutSagaDeps): CheckoutSaga {
  return createSagaDriver<
    CheckoutStatus,
    CheckoutFailure,
    CheckoutSession,
    SessionPatch,
    CheckoutStepDeps,
    OutboxMessage
  >({
    definition: checkoutSaga(deps.settings.steps),
    store: deps.store,
    deps: { inventory: deps.inventory, payments: deps.payments, paymentDeadlineMs: deps.settings.paymentDeadlineMs },
    clock: deps.clock,
    logger: deps.logger,
    settings: { leaseMs: deps.settings.leaseMs, compensationRetry: deps.settings.compensationRetry },
    signal: deps.signal,
    announce: checkoutEndedEvent,
    idField: "checkoutId",
    faults: deps.faults,
    observer: deps.observer,
  });
}
