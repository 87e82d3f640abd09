import { inSpan, type Logger, tracer, withLogContext } from "@checkout-saga/shared";
import type { CheckoutSession } from "../domain/checkout-session.js";
import { assertTransition, type CheckoutStatus, isFinished } from "../domain/checkout-state-machine.js";
import { checkoutEndedEvent } from "./checkout-events.js";
import { compensate } from "./compensation.js";
import type { Clock, InventoryPort, PaymentPort, SagaStore } from "./ports.js";
import { type BackoffPolicy, sleep, withRetry } from "./retry.js";
import { noFaults, type SagaFaults } from "./saga-faults.js";
import { type StepContext, type StepOutcome, StopDriving } from "./saga-step.js";
import { chargePayment, startCharge } from "./steps/charge-payment.js";
import { confirmReservation } from "./steps/confirm-reservation.js";
import { reserveStock } from "./steps/reserve-stock.js";

export interface SagaSettings {
  leaseMs: number;
  paymentDeadlineMs: number;
  /** Retries of one downstream call on retryable codes. */
  callRetry: BackoffPolicy;
  /** Passes of a compensation before it is flagged as needing attention. */
  compensationRetry: BackoffPolicy;
}

export interface CheckoutSagaDeps {
  store: SagaStore;
  inventory: InventoryPort;
  payments: PaymentPort;
  clock: Clock;
  logger: Logger;
  settings: SagaSettings;
  /** Aborted when the service stops: drivers stop between (or abandon) downstream calls. */
  signal: AbortSignal;
  /** Crash points for fault drills (CHECKOUT_CRASH_AT); omitted, nothing happens. */
  faults?: SagaFaults;
  /** Told about every persisted transition (metrics). */
  observer?: SagaObserver;
}

/** A persisted transition as metrics see it. */
export interface SagaTransition {
  from: CheckoutStatus;
  to: CheckoutStatus;
  /** How long the checkout was in `from`: since the transition into it was recorded. */
  secondsInState: number;
  /** Set when `to` is FAILED (OUT_OF_STOCK, PAYMENT_DECLINED, …). */
  failureCode?: string;
}

export interface SagaObserver {
  transitioned(transition: SagaTransition): void;
}

export interface CheckoutSaga {
  /**
   * Drives a checkout whose lease `owner` holds, step by step, until it is finished, must
   * wait, has made `maxSteps` transitions, or someone else moved it. Returns it as persisted.
   */
  drive(checkoutId: string, owner: string, options?: { maxSteps?: number }): Promise<CheckoutSession>;
}

const sagaTracer = tracer("checkout-service/saga");

/** The step each state runs, as its span is named. */
const stepNames: Record<CheckoutStatus, string> = {
  INITIATED: "reserve stock",
  INVENTORY_RESERVED: "start charge",
  PAYMENT_PENDING: "charge payment",
  PAYMENT_COMPLETED: "confirm reservation",
  COMPENSATING: "compensate",
  COMPLETED: "finished",
  FAILED: "finished",
};

/** Which step runs in which state: one step makes (at most) one transition. */
function runStep(ctx: StepContext, settings: SagaSettings): Promise<StepOutcome> | StepOutcome {
  switch (ctx.session.status) {
    case "INITIATED":
      return reserveStock(ctx);
    case "INVENTORY_RESERVED":
      return startCharge(ctx);
    case "PAYMENT_PENDING":
      return chargePayment(ctx);
    case "PAYMENT_COMPLETED":
      return confirmReservation(ctx);
    case "COMPENSATING":
      return compensate(ctx, settings.compensationRetry);
    case "COMPLETED":
    case "FAILED":
      throw new Error(`checkout ${ctx.session.id} is already ${ctx.session.status}`);
  }
}

export function createCheckoutSaga(deps: CheckoutSagaDeps): CheckoutSaga {
  const { store, settings, signal, logger } = deps;

  const load = async (checkoutId: string) => {
    const session = await store.load(checkoutId);
    if (!session) throw new Error(`checkout ${checkoutId} does not exist`);
    return session;
  };

  /** Settles with `work`, or with StopDriving as soon as the service stops (the call is abandoned). */
  const unlessStopping = <T>(work: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new StopDriving("the service is stopping"));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });

  function context(session: CheckoutSession, owner: string): StepContext {
    return {
      session,
      inventory: deps.inventory,
      payments: deps.payments,
      call: (fn) => unlessStopping(withRetry(fn, settings.callRetry, signal)),
      async save(patch) {
        const saved = await store.annotate({ checkoutId: session.id, owner, status: session.status, patch });
        if (!saved) throw new StopDriving("another driver took the checkout over");
      },
      pause: (ms) => unlessStopping(sleep(ms, signal)),
      now: () => deps.clock.now(),
      paymentDeadlineMs: settings.paymentDeadlineMs,
      faults: deps.faults ?? noFaults,
    };
  }

  /** Keeps the lease alive while a (possibly slow) step runs. */
  async function withHeartbeat<T>(checkoutId: string, owner: string, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(
      () => {
        store.renewLease(checkoutId, owner).catch((err) => logger.warn({ err, checkoutId }, "lease renewal failed"));
      },
      Math.max(10, settings.leaseMs / 3),
    );
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  return {
    // Inside a log context, so every line logged while driving (here and in the calls to
    // inventory and payment) carries `checkout_id`.
    drive: (checkoutId, owner, options = {}) => withLogContext({ checkoutId }, () => drive(checkoutId, owner, options)),
  };

  async function drive(checkoutId: string, owner: string, options: { maxSteps?: number }): Promise<CheckoutSession> {
    const maxSteps = options.maxSteps ?? Number.POSITIVE_INFINITY;
    for (let steps = 0; ; steps++) {
      const session = await load(checkoutId);
      if (isFinished(session.status) || steps >= maxSteps || signal.aborted) return session;

      // One span per step, its transition included: the event a final transition writes to
      // the outbox carries this span's context.
      const stopped = await inSpan(
        `saga ${stepNames[session.status]}`,
        { tracer: sagaTracer, attributes: { "checkout.id": checkoutId, "checkout.status": session.status } },
        () => advance(session, owner),
      );
      if (stopped) return load(checkoutId);
    }
  }

  /** Runs the session's current step and records its transition; true when driving must stop. */
  async function advance(session: CheckoutSession, owner: string): Promise<boolean> {
    const checkoutId = session.id;
    let outcome: StepOutcome;
    try {
      outcome = await withHeartbeat(checkoutId, owner, async () => runStep(context(session, owner), settings));
    } catch (err) {
      if (!(err instanceof StopDriving)) throw err;
      logger.info({ checkoutId, status: session.status, why: err.message }, "stopped driving checkout");
      return true;
    }
    if (outcome.kind === "wait") {
      logger.warn({ checkoutId, status: session.status, why: outcome.reason }, "checkout waits");
      return true;
    }

    assertTransition(session.status, outcome.to, outcome.patch?.failure?.code);
    const now = deps.clock.now();
    const next = { ...session, ...outcome.patch, status: outcome.to };
    const moved = await store.transition({
      checkoutId,
      owner,
      from: session.status,
      to: outcome.to,
      reason: outcome.reason,
      patch: outcome.patch,
      outbox: isFinished(outcome.to) ? checkoutEndedEvent(next, now) : undefined,
    });
    if (!moved) {
      logger.warn({ checkoutId, from: session.status, to: outcome.to }, "checkout was moved by another driver");
      return true;
    }
    logger.info({ checkoutId, from: session.status, to: outcome.to, reason: outcome.reason }, "checkout moved");
    const enteredAt = session.history.at(-1)?.at ?? session.updatedAt;
    deps.observer?.transitioned({
      from: session.status,
      to: outcome.to,
      secondsInState: Math.max(0, (now.getTime() - enteredAt.getTime()) / 1000),
      failureCode: next.failure?.code,
    });
    return false;
  }
}
