import {
  type CompensationPolicy,
  createSagaDriver,
  defineSaga,
  isFinal,
  type Logger,
  type OutboxMessage,
  type RetryPolicy,
  type SagaDriver,
  type SagaFaults,
  type SagaObserver,
  type SagaStates,
  type SagaStore,
  sagaMachine,
} from "@checkout-saga/shared";
import type { CheckoutFailure, CheckoutRecord } from "../domain/checkout-session.js";
import { checkoutEndedEvent } from "./checkout-events.js";
import type { CheckoutStepDeps } from "./checkout-step.js";
import type { Clock, SessionPatch } from "./ports.js";
import { chargePayment } from "./steps/charge-payment.js";
import { claimCartLines } from "./steps/claim-cart-lines.js";
import { confirmReservation } from "./steps/confirm-reservation.js";
import { redeemPoints } from "./steps/redeem-points.js";
import { reserveStock } from "./steps/reserve-stock.js";
import { startCharge } from "./steps/start-charge.js";

/** How the steps retry their downstream calls (from config; tests shorten them). */
export interface CheckoutStepPolicies {
  /**
   * Claim, redeem, reserve and confirm (cart, points and inventory): before the charge a failure compensates
   * the checkout, so they ride through a downstream restart, retrying until their deadline
   * (CHECKOUT_RESERVE_DEADLINE_MS); confirm likewise, so a paid checkout completes in the request.
   */
  prepare: { retry: RetryPolicy; deadlineMs: number };
  /**
   * The charge: patient within the request too (CHECKOUT_CHARGE_DEADLINE_MS); an outcome still
   * unknown then waits in PAYMENT_PENDING, where recovery charges again with the same key.
   */
  charge: { retry: RetryPolicy; deadlineMs: number };
}

/**
 * The checkout saga, top to bottom. Each step's file holds its action and its undo; the
 * transition table, the compensation order, step mode, spans, metrics and the docs' diagram
 * are derived from this list.
 */
export const checkoutSaga = (policies: CheckoutStepPolicies) =>
  defineSaga({
    name: "checkout",
    initial: "INITIATED",
    steps: [
      { ...claimCartLines, enters: "LINES_CLAIMED", ...policies.prepare },
      { ...redeemPoints, enters: "POINTS_REDEEMED", ...policies.prepare },
      { ...reserveStock, enters: "INVENTORY_RESERVED", ...policies.prepare },
      { ...startCharge, enters: "PAYMENT_PENDING" },
      { ...chargePayment, enters: "PAYMENT_COMPLETED", ...policies.charge, pivot: true },
      { ...confirmReservation, enters: "COMPLETED", ...policies.prepare },
    ],
    compensating: "COMPENSATING",
    failed: "FAILED",
  });

/** Where a checkout is in the saga, as persisted: the states the definition names. */
export type CheckoutStatus = SagaStates<ReturnType<typeof checkoutSaga>>;

/** One checkout as persisted, its status one of the saga's states. */
export type CheckoutSession = CheckoutRecord<CheckoutStatus>;

/**
 * What the saga engine needs from storage (see shared's SagaStore): every write guarded by the
 * expected status and the caller's lease; the final transition writes its outbox row too.
 */
export type CheckoutSagaStore = SagaStore<CheckoutStatus, CheckoutSession, SessionPatch, CheckoutEnded>;

/** What a checkout's final transition writes with it: its event, and the answer its idempotency key replays. */
export interface CheckoutEnded {
  event: OutboxMessage;
  response?: Uint8Array;
}

/** The default policies: what the service runs with unless configured otherwise. */
export const DEFAULT_STEP_POLICIES: CheckoutStepPolicies = {
  prepare: { retry: { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 200, maxDelayMs: 2_000 }, deadlineMs: 30_000 },
  charge: { retry: { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 200, maxDelayMs: 2_000 }, deadlineMs: 60_000 },
};

/** The checkout's state machine, derived from the definition. */
export const checkoutMachine = sagaMachine(checkoutSaga(DEFAULT_STEP_POLICIES));

/** Whether a stored string is one of the saga's states. */
export const isCheckoutStatus = (value: string): value is CheckoutStatus =>
  checkoutMachine.states.some((s) => s.name === value);

/** COMPLETED and FAILED are final: nothing moves a checkout out of them. */
export const isFinished = (status: CheckoutStatus): boolean => isFinal(checkoutMachine, status);

export interface SagaSettings {
  leaseMs: number;
  paymentDeadlineMs: number;
  /** KONBINI_EXPIRES_AFTER_SECONDS, in ms: how long a konbini payment may still succeed. */
  konbiniExpiresAfterMs: number;
  /** Added to a payment's window for the stock's hold and the saga's deadline. */
  paymentMarginMs: number;
  steps: CheckoutStepPolicies;
  /** Passes of a compensation before it is flagged as needing attention. */
  compensationRetry: CompensationPolicy;
}

export interface CheckoutSagaDeps {
  store: CheckoutSagaStore;
  cart: CheckoutStepDeps["cart"];
  points: CheckoutStepDeps["points"];
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
  /** The InitiateCheckoutResponse bytes an idempotency key replays. */
  encodeResponse(session: CheckoutSession): Uint8Array;
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
    CheckoutEnded
  >({
    definition: checkoutSaga(deps.settings.steps),
    store: deps.store,
    deps: {
      cart: deps.cart,
      points: deps.points,
      inventory: deps.inventory,
      payments: deps.payments,
      paymentDeadlineMs: deps.settings.paymentDeadlineMs,
      konbiniExpiresAfterMs: deps.settings.konbiniExpiresAfterMs,
      paymentMarginMs: deps.settings.paymentMarginMs,
    },
    clock: deps.clock,
    logger: deps.logger,
    settings: { leaseMs: deps.settings.leaseMs, compensationRetry: deps.settings.compensationRetry },
    signal: deps.signal,
    announce: (session, at) => ({ event: checkoutEndedEvent(session, at), response: deps.encodeResponse(session) }),
    idField: "checkoutId",
    faults: deps.faults,
    observer: deps.observer,
  });
}
