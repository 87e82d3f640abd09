import {
  createSagaDriver,
  DEFAULT_COMPENSATION_POLICY,
  defineSaga,
  isFinal,
  type Logger,
  type RetryPolicy,
  type SagaDriver,
  type SagaFaults,
  type SagaStates,
  type SagaStore,
  sagaMachine,
} from "@checkout-saga/shared";
import type { CancellationStepDeps } from "./cancellation-step.js";
import type { CancellationFailure, CancellationPatch, CancellationRecord } from "./ports.js";
import { recordCancellation } from "./steps/record-cancellation.js";
import { refundPayment } from "./steps/refund-payment.js";
import { returnPoints } from "./steps/return-points.js";
import { returnStock } from "./steps/return-stock.js";

/** How the steps retry their calls within one drive before they wait, flagged, for recovery. */
export interface CancellationStepPolicy {
  retry: RetryPolicy;
  deadlineMs: number;
}

/**
 * The order cancellation saga, top to bottom. Each step's file holds its action; the transition
 * table, the docs' diagram and the inspector's drawing are derived from this list.
 *
 * The refund is the pivot and the first step: before it nothing was done, so a refused refund
 * fails the cancellation with nothing to undo; after it the saga only moves forward, a step that
 * keeps failing flagged as needing attention and retried by recovery. An order paid partly in
 * points gives the lines' value back split pro rata (domain/cancellation.ts, splitRefund): the
 * money by the refund, the points by the step after it.
 */
export const cancellationSaga = (policy: CancellationStepPolicy) =>
  defineSaga({
    name: "cancellation",
    initial: "REQUESTED",
    steps: [
      { ...refundPayment, enters: "REFUNDED", ...policy, pivot: true },
      { ...returnPoints, enters: "POINTS_RETURNED", ...policy },
      { ...returnStock, enters: "STOCK_RETURNED", ...policy },
      { ...recordCancellation, enters: "COMPLETED" },
    ],
    compensating: "COMPENSATING",
    failed: "FAILED",
  });

/** Where a cancellation is in the saga, as persisted: the states the definition names. */
export type CancellationStatus = SagaStates<ReturnType<typeof cancellationSaga>>;

export type Cancellation = CancellationRecord<CancellationStatus>;

/** What a cancellation's final transition writes with it: on COMPLETED, the record on the order and its events. */
export interface CancellationEnded {
  cancellation: Cancellation;
  at: Date;
}

/** See shared's SagaStore: every write guarded by the expected status and the caller's lease. */
export type CancellationSagaStore = SagaStore<CancellationStatus, Cancellation, CancellationPatch, CancellationEnded>;

export const DEFAULT_STEP_POLICY: CancellationStepPolicy = {
  retry: { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 200, maxDelayMs: 2_000 },
  deadlineMs: 30_000,
};

/** The cancellation's state machine, derived from the definition. */
export const cancellationMachine = sagaMachine(cancellationSaga(DEFAULT_STEP_POLICY));

export const isCancellationStatus = (value: string): value is CancellationStatus =>
  cancellationMachine.states.some((s) => s.name === value);

/** COMPLETED and FAILED are final: nothing moves a cancellation out of them. */
export const isFinished = (status: CancellationStatus): boolean => isFinal(cancellationMachine, status);

export interface CancellationSagaDeps extends CancellationStepDeps {
  store: CancellationSagaStore;
  clock: { now(): Date };
  logger: Logger;
  leaseMs: number;
  policy: CancellationStepPolicy;
  /** Aborted when the service stops: drivers stop between (or abandon) downstream calls. */
  signal: AbortSignal;
  /** Crash points for fault drills (ORDERS_CRASH_AT); omitted, nothing happens. */
  faults?: SagaFaults;
}

export type CancellationSaga = SagaDriver<CancellationStatus, Cancellation>;

/** The cancellation saga on the shared engine, wired to its store, the payment service (money and points) and inventory. */
export function createCancellationSaga(deps: CancellationSagaDeps): CancellationSaga {
  return createSagaDriver<
    CancellationStatus,
    CancellationFailure,
    Cancellation,
    CancellationPatch,
    CancellationStepDeps,
    CancellationEnded
  >({
    definition: cancellationSaga(deps.policy),
    store: deps.store,
    deps: { payments: deps.payments, points: deps.points, inventory: deps.inventory },
    clock: deps.clock,
    logger: deps.logger,
    // Nothing to undo before the pivot (the first step), so a compensation pass cannot fail; the
    // engine still wants a policy.
    settings: { leaseMs: deps.leaseMs, compensationRetry: DEFAULT_COMPENSATION_POLICY },
    signal: deps.signal,
    announce: (cancellation, at) => ({ cancellation, at }),
    idField: "cancellationId",
    faults: deps.faults,
  });
}
