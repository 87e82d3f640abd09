import {
  type CircuitState,
  Counter,
  Gauge,
  Histogram,
  METRIC_PREFIX,
  type Registry,
  type SagaObserver,
} from "@checkout-saga/shared";
import type { Downstream } from "../clients/downstream-breakers.js";
import type { CheckoutStatus } from "../saga/checkout-saga.js";

/** Seconds a checkout spends in one state: from a fast step to a slow payment or a long compensation. */
const STATE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

/** The breaker gauge's values: 0 closed, 1 half-open, 2 open (so max() over instances is the worst). */
const BREAKER_STATE_VALUE: Record<CircuitState, number> = { closed: 0, "half-open": 1, open: 2 };

export interface CheckoutMetrics {
  saga: SagaObserver<CheckoutStatus>;
  /** Rows the outbox relay published in one committed batch. */
  outboxPublished(rows: number): void;
  breakerChanged(downstream: Downstream, state: CircuitState): void;
  /** Database-wide figures, refreshed periodically (see checkout-gauges.ts). */
  gauges: {
    outboxPending: Gauge;
    outboxOldestPendingAge: Gauge;
    needingAttention: Gauge;
  };
}

/** The checkout service's own metrics: the saga, the outbox and the downstream circuit breakers. */
export function createCheckoutMetrics(registry: Registry, downstreams: readonly Downstream[]): CheckoutMetrics {
  const registers = [registry];
  const transitions = new Counter({
    name: `${METRIC_PREFIX}transitions_total`,
    help: "Saga transitions persisted, by from and to state.",
    labelNames: ["from", "to"] as const,
    registers,
  });
  const timeInState = new Histogram({
    name: `${METRIC_PREFIX}state_duration_seconds`,
    help: "Time a checkout spent in a state before leaving it, by state.",
    labelNames: ["state"] as const,
    buckets: STATE_BUCKETS,
    registers,
  });
  const checkouts = new Counter({
    name: `${METRIC_PREFIX}checkouts_total`,
    help: "Checkouts that ended, by outcome (completed, failed) and failure reason (none when completed).",
    labelNames: ["outcome", "reason"] as const,
    registers,
  });
  const published = new Counter({
    name: `${METRIC_PREFIX}outbox_published_total`,
    help: "Outbox rows the relay published (acknowledged by the bus and marked published).",
    registers,
  });
  const breaker = new Gauge({
    name: `${METRIC_PREFIX}circuit_breaker_state`,
    help: "Circuit breaker state per downstream: 0 closed, 1 half-open, 2 open.",
    labelNames: ["downstream"] as const,
    registers,
  });
  for (const downstream of downstreams) breaker.set({ downstream }, 0);
  // Series exist from the start, so rate() and alerts see the first increase.
  checkouts.inc({ outcome: "completed", reason: "none" }, 0);
  published.inc(0);

  return {
    saga: {
      transitioned({ from, to, secondsInState, failureCode }) {
        transitions.inc({ from, to });
        timeInState.observe({ state: from }, secondsInState);
        if (to === "COMPLETED") checkouts.inc({ outcome: "completed", reason: "none" });
        if (to === "FAILED") checkouts.inc({ outcome: "failed", reason: failureCode ?? "UNKNOWN" });
      },
    },
    outboxPublished: (rows) => published.inc(rows),
    breakerChanged: (downstream, state) => breaker.set({ downstream }, BREAKER_STATE_VALUE[state]),
    gauges: {
      outboxPending: new Gauge({
        name: `${METRIC_PREFIX}outbox_pending_events`,
        help: "Outbox rows not yet published (database-wide; every instance reports the same figure).",
        registers,
      }),
      outboxOldestPendingAge: new Gauge({
        name: `${METRIC_PREFIX}outbox_oldest_pending_age_seconds`,
        help: "Age of the oldest unpublished outbox row; 0 when none is pending.",
        registers,
      }),
      needingAttention: new Gauge({
        name: `${METRIC_PREFIX}checkouts_needing_attention`,
        help: "Checkouts whose compensation keeps failing (left COMPENSATING for an operator).",
        registers,
      }),
    },
  };
}
