import { setTimeout as delay } from "node:timers/promises";
import { Code, ConnectError } from "@connectrpc/connect";
import { isRetryable } from "../errors.js";
import { type LogContext, withLogContext } from "../log-context.js";
import type { Logger } from "../logger.js";
import { backoffDelay, type RetryPolicy } from "../resilience/backoff.js";
import { isCircuitOpen } from "../resilience/circuit-breaker.js";
import { withRetry } from "../resilience/retry.js";
import { inSpan, tracer } from "../tracing.js";
import {
  type EnginePatch,
  noFaults,
  type SagaDefinition,
  type SagaFailure,
  type SagaFaults,
  type SagaInstance,
  type SagaStep,
  type StepContext,
  type StepResult,
} from "./saga-definition.js";
import { assertTransition, compensationPlan, isFinal, type SagaMachine, sagaMachine } from "./saga-machine.js";

/**
 * What the engine needs from storage. Every write is guarded by the expected state and the
 * caller's lease, and renews that lease: false means someone else owns or moved the instance.
 */
export interface SagaStore<State extends string, Instance, Patch, Event> {
  load(id: string): Promise<Instance | undefined>;
  /**
   * The instance update, its history rows and (when given) its outbox row, in one transaction.
   * With `via`, the instance passed through those states on the way (a local step's transition
   * fused with the one before it): one history row per hop.
   */
  transition(change: {
    id: string;
    owner: string;
    from: State;
    to: State;
    reason: string;
    /** When the driver decided: the history rows' time, so what it holds matches what is stored. */
    at: Date;
    via?: readonly { state: State; reason: string }[];
    patch?: Patch;
    outbox?: Event;
    /** The final transition lets the lease go in the same write: nothing more will drive it. */
    releaseLease?: boolean;
  }): Promise<boolean>;
  /** Saves details without moving the instance. */
  annotate(note: { id: string; owner: string; status: State; patch: Patch }): Promise<boolean>;
  renewLease(id: string, owner: string): Promise<boolean>;
}

/** A persisted transition as metrics see it. */
export interface SagaTransition<State extends string> {
  from: State;
  to: State;
  /** The step (or "compensate") whose verdict made the move. */
  step: string;
  /** How long the instance was in `from`: since the transition into it was recorded. */
  secondsInState: number;
  /** Set when `to` is the failed state. */
  failureCode?: string;
}

export interface SagaObserver<State extends string> {
  transitioned(transition: SagaTransition<State>): void;
}

/**
 * How a compensation retries: `attempts` failed passes before the instance is flagged as needing
 * attention, with backoff between them. Transient failures (Unavailable, timed out, reset: a
 * downstream restarting, say) are waited out for up to `transientPatienceMs` per drive before
 * they count as attempts, so a restart never flags an instance.
 */
export interface CompensationPolicy extends RetryPolicy {
  transientPatienceMs: number;
}

/** The services' compensation policy: five passes, and a minute's patience with a downstream that is down. */
export const DEFAULT_COMPENSATION_POLICY: CompensationPolicy = {
  attempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  transientPatienceMs: 60_000,
};

export interface SagaDriverSettings {
  leaseMs: number;
  compensationRetry: CompensationPolicy;
}

export interface SagaDriverDeps<
  State extends string,
  Failure extends SagaFailure,
  Instance extends SagaInstance<State, Failure>,
  Patch extends EnginePatch<Failure>,
  Deps,
  Event,
> {
  definition: SagaDefinition<State, Instance, Patch, Deps, Failure>;
  store: SagaStore<State, Instance, Patch, Event>;
  /** What the steps call: ports to other services. */
  deps: Deps;
  clock: { now(): Date };
  logger: Logger;
  settings: SagaDriverSettings;
  /** Aborted when the service stops: drivers stop between (or abandon) downstream calls. */
  signal: AbortSignal;
  /**
   * What the final transition (completed or failed) writes in its transaction besides the state:
   * its outbox event, and whatever else the saga keeps with its end (the checkout: the answer
   * stored with its idempotency key). Gets the instance as the transition leaves it.
   */
  announce(instance: Instance, at: Date): Event;
  /** The log-context field naming the instance (e.g. "checkoutId"). */
  idField: keyof LogContext;
  faults?: SagaFaults;
  observer?: SagaObserver<State>;
}

export interface SagaDriver<State extends string, Instance> {
  readonly machine: SagaMachine<State>;
  /**
   * Drives an instance whose lease `owner` holds, step by step, until it is final, must wait,
   * has made `maxSteps` transitions, or someone else moved it. Returns it as persisted. Given the
   * instance itself (as its creator just wrote it), it starts without reading it back. A final
   * instance's lease is released by its final transition; otherwise the caller releases it.
   */
  drive(instance: string | Instance, owner: string, options?: { maxSteps?: number }): Promise<Instance>;
}

/**
 * Thrown to stop driving without deciding anything: the service is stopping, or another
 * driver took the instance over. The persisted state stays valid and resumable.
 */
export class StopDriving extends Error {
  override readonly name = "StopDriving";
}

/**
 * A call whose stream the other side reset (Canceled while we did not cancel): the service was
 * killed or stopped mid-call, so the call may not have happened — for an idempotent step, worth
 * another try like Unavailable.
 */
export const isPeerReset = (err: unknown): boolean => ConnectError.from(err).code === Code.Canceled;

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

const COMPENSATE = "compensate";

/** The latest time a Date holds: a step without a deadline. */
const LATEST_DATE_MS = 8.64e15;

/** Runs any saga definition: one generic driver, the business lives in the steps. */
export function createSagaDriver<
  State extends string,
  Failure extends SagaFailure,
  Instance extends SagaInstance<State, Failure>,
  Patch extends EnginePatch<Failure>,
  Deps,
  Event,
>(driverDeps: SagaDriverDeps<State, Failure, Instance, Patch, Deps, Event>): SagaDriver<State, Instance> {
  const { definition, store, settings, signal, logger } = driverDeps;
  const machine = sagaMachine(definition);
  const faults = driverDeps.faults ?? noFaults;
  const spans = tracer(`saga/${definition.name}`);
  type Step = SagaStep<State, Instance, Patch, Deps, Failure>;
  const stepByState = new Map<State, Step>(
    definition.steps.map((step, i) => [i === 0 ? definition.initial : (definition.steps[i - 1] as Step).enters, step]),
  );

  /** Settles with `work`, or with StopDriving as soon as the service stops (the call is abandoned). */
  const unlessStopping = <T>(work: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new StopDriving("the service is stopping"));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });

  /** A failure that may not have reached the downstream, or may pass a moment later. */
  const isTransient = (err: unknown): boolean => isRetryable(err) || (!signal.aborted && isPeerReset(err));

  const enteredAt = (instance: Instance) => instance.history.at(-1)?.at ?? instance.updatedAt;

  function context(instance: Instance, owner: string, step?: Step): StepContext<Instance, Patch, Deps> {
    // From when this drive starts the step: a step resumed after a restart gets its full patience again.
    const now = () => driverDeps.clock.now().getTime();
    const deadline = new Date(step?.deadlineMs === undefined ? LATEST_DATE_MS : now() + step.deadlineMs);
    const retry = step?.retry;
    return {
      session: instance,
      deps: driverDeps.deps,
      // A step with a deadline is patient: it retries every retryable failure, an open circuit
      // included, until then (a restart shorter than the deadline never fails it).
      call: (fn) =>
        unlessStopping(
          retry
            ? withRetry(fn, retry, {
                deadline,
                now,
                signal,
                waitOutOpenCircuit: step?.deadlineMs !== undefined,
                retryable: isTransient,
              })
            : fn(),
        ),
      async save(patch) {
        const saved = await store.annotate({ id: instance.id, owner, status: instance.status, patch });
        if (!saved) throw new StopDriving("another driver took it over");
        Object.assign(instance, definedFields(patch));
      },
      pause: (ms) => unlessStopping(delay(ms, undefined, { signal })),
      now: () => driverDeps.clock.now(),
      deadline,
      faults,
    };
  }

  /** Keeps the lease alive while a (possibly slow) step runs. */
  async function withHeartbeat<T>(id: string, owner: string, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(
      () => {
        store
          .renewLease(id, owner)
          .catch((err) => logger.warn({ err, [driverDeps.idField]: id }, "lease renewal failed"));
      },
      Math.max(10, settings.leaseMs / 3),
    );
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * COMPENSATING → failed: runs the derived undo plan, retrying whole passes with backoff. After
   * `compensationRetry.attempts` failed passes (counted across restarts) the instance stays
   * compensating, flagged as needing attention; it never ends failed with something left undone.
   */
  async function compensate(ctx: StepContext<Instance, Patch, Deps>): Promise<StepResult<Patch, Failure>> {
    const plan = compensationPlan(definition, ctx.session);
    const policy = settings.compensationRetry;
    const now = () => driverDeps.clock.now().getTime();
    const patience = new Date(now() + policy.transientPatienceMs);
    // A transient failure (a restarting downstream: its stream refused, the connection reset)
    // answers a moment later: that undo alone is tried again, for a while, before it counts.
    const undoPatiently = (undo: (typeof plan)[number]) =>
      unlessStopping(
        withRetry(
          () => undo.run(ctx),
          { ...policy, attempts: Number.POSITIVE_INFINITY },
          { deadline: patience, now, signal, retryable: isTransient },
        ),
      );
    let attempts = ctx.session.compensationAttempts;
    for (;;) {
      try {
        const undone: string[] = [];
        for (const undo of plan) {
          undone.push(await undoPatiently(undo));
          if (undone.length === 1) faults.reached("during-compensation");
        }
        return {
          kind: "done",
          reason: undone.length > 0 ? `compensated: ${undone.join(", ")}` : "compensated: nothing to undo",
          patch: { needsAttention: false } as Patch,
        };
      } catch (err) {
        if (err instanceof StopDriving) throw err;
        // An open circuit says the downstream is known to be down, not that the undo failed:
        // wait for the breaker's trial call instead of spending an attempt (a restart shorter
        // than the cooldown would otherwise use them all up and flag the instance).
        if (isCircuitOpen(err)) {
          await ctx.pause(policy.maxDelayMs);
          continue;
        }
        attempts++;
        const needsAttention = attempts >= policy.attempts;
        await ctx.save({ compensationAttempts: attempts, needsAttention } as Patch);
        if (needsAttention)
          return { kind: "wait", reason: `compensation failed ${attempts} times: ${errorMessage(err)}` };
        await ctx.pause(backoffDelay(attempts, policy));
      }
    }
  }

  /** One recorded move: a step's verdict, before it is written. */
  interface Hop {
    from: State;
    to: State;
    reason: string;
    patch?: Patch;
    /** The step (or "compensate") whose verdict it is. */
    step: string;
  }

  /** Where a step's verdict (done or failed) takes the instance, checked against the machine. */
  function hopFor(
    from: State,
    step: Step | undefined,
    result: Exclude<StepResult<Patch, Failure>, { kind: "wait" }>,
  ): Hop {
    const compensating = from === definition.compensating;
    const to =
      result.kind === "failed" ? definition.compensating : compensating ? definition.failed : (step as Step).enters;
    const patch = (result.kind === "failed" ? { ...result.patch, failure: result.failure } : result.patch) as
      | Patch
      | undefined;
    assertTransition(machine, from, to, result.kind === "failed" ? result.failure.code : undefined);
    return { from, to, reason: result.reason, patch, step: compensating ? COMPENSATE : (step as Step).name };
  }

  /** The instance as a hop leaves it: what the final event announces, and what the driver then holds. */
  const afterHop = (instance: Instance, hop: Hop, at: Date): Instance =>
    ({
      ...instance,
      ...definedFields(hop.patch),
      status: hop.to,
      updatedAt: at,
      history: [...instance.history, { from: hop.from, to: hop.to, reason: hop.reason, at }],
    }) as Instance;

  /**
   * Runs the instance's current step and records its transition; a local step right after a
   * done one is decided at once and written in the same transaction (when `budget` allows two
   * transitions). Answers how many transitions were made, or "stop" when driving must stop.
   */
  async function advance(instance: Instance, owner: string, budget: number): Promise<number | "stop"> {
    const id = instance.id;
    const from = instance.status;
    const compensating = from === definition.compensating;
    const step = stepByState.get(from);
    const ctx = context(instance, owner, step);
    let result: StepResult<Patch, Failure>;
    try {
      result = await withHeartbeat(id, owner, async () =>
        compensating ? compensate(ctx) : (step as Step).action(ctx),
      );
    } catch (err) {
      if (!(err instanceof StopDriving)) throw err;
      logger.info({ [driverDeps.idField]: id, status: from, why: err.message }, "stopped driving");
      return "stop";
    }
    if (result.kind === "wait") {
      logger.warn({ [driverDeps.idField]: id, status: from, why: result.reason }, "saga waits");
      return "stop";
    }
    const now = driverDeps.clock.now();
    const hops = [hopFor(from, step, result)];
    let next = afterHop(instance, hops[0] as Hop, now);
    const local = result.kind === "done" && budget > 1 ? stepByState.get(next.status) : undefined;
    if (local && (local.local || local.localWhen?.test(next))) {
      // Nothing leaves the process between the two: one commit records both. A local step
      // that waits is simply run again by the next drive.
      const localResult = await local.action(context(next, owner, local));
      if (localResult.kind !== "wait") {
        const hop = hopFor(next.status, local, localResult);
        hops.push(hop);
        next = afterHop(next, hop, now);
      }
    }
    const last = hops.at(-1) as Hop;
    const final = isFinal(machine, last.to);
    const moved = await store.transition({
      id,
      owner,
      from,
      to: last.to,
      reason: last.reason,
      at: now,
      via: hops.slice(0, -1).map((h) => ({ state: h.to, reason: h.reason })),
      patch: hops.some((h) => h.patch)
        ? (Object.assign({}, ...hops.map((h) => definedFields(h.patch))) as Patch)
        : undefined,
      outbox: final ? driverDeps.announce(next, now) : undefined,
      releaseLease: final,
    });
    if (!moved) {
      logger.warn({ [driverDeps.idField]: id, from, to: last.to }, "saga was moved by another driver");
      return "stop";
    }
    let inStateSince = enteredAt(instance);
    for (const hop of hops) {
      logger.info({ [driverDeps.idField]: id, from: hop.from, to: hop.to, reason: hop.reason }, "saga moved");
      driverDeps.observer?.transitioned({
        from: hop.from,
        to: hop.to,
        step: hop.step,
        secondsInState: Math.max(0, (now.getTime() - inStateSince.getTime()) / 1000),
        failureCode: hop.to === definition.failed ? next.failure?.code : undefined,
      });
      inStateSince = now;
    }
    // The driver holds what it wrote: the next step starts from it, without reading it back.
    Object.assign(instance, next);
    return hops.length;
  }

  async function drive(start: string | Instance, owner: string, maxSteps: number): Promise<Instance> {
    const id = typeof start === "string" ? start : start.id;
    const instance = typeof start === "string" ? await store.load(id) : start;
    if (!instance) throw new Error(`${definition.name} ${id} does not exist`);
    for (let steps = 0; ; ) {
      if (isFinal(machine, instance.status) || steps >= maxSteps || signal.aborted) return instance;
      const status = instance.status;
      const name = status === definition.compensating ? COMPENSATE : (stepByState.get(status) as Step).name;
      // One span per step, its transition included: the event a final transition writes to
      // the outbox carries this span's context.
      const moved = await inSpan(
        `saga ${name}`,
        { tracer: spans, attributes: { "saga.name": definition.name, "saga.id": id, "saga.status": status } },
        () => advance(instance, owner, maxSteps - steps),
      );
      // Stopped: what is persisted may differ from what this driver holds (someone else moved it).
      if (moved === "stop") return (await store.load(id)) ?? instance;
      steps += moved;
    }
  }

  return {
    machine,
    // Inside a log context, so every line logged while driving carries the instance's id.
    drive: (instance, owner, options = {}) =>
      withLogContext({ [driverDeps.idField]: typeof instance === "string" ? instance : instance.id }, () =>
        drive(instance, owner, options.maxSteps ?? Number.POSITIVE_INFINITY),
      ),
  };
}

/** A patch's fields that are set: an absent field keeps the stored value, as the stores do. */
function definedFields<Patch>(patch: Patch | undefined): Partial<Patch> {
  if (!patch) return {};
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<Patch>;
}

/** Steps classify downstream failures; a stop request is not one of them. */
export function rethrowIfStopped(err: unknown): void {
  if (err instanceof StopDriving) throw err;
}
