import type { RetryPolicy } from "../resilience/backoff.js";

/** Why a saga failed; `code` is stable (OUT_OF_STOCK, PAYMENT_DECLINED, …), the rest is the saga's own. */
export interface SagaFailure {
  code: string;
  message: string;
}

export interface SagaTransitionRecord<State extends string> {
  /** Absent on the row that records the saga's creation. */
  from?: State;
  to: State;
  reason: string;
  at: Date;
}

/** What the engine reads and writes on every saga instance; the rest is the saga's business. */
export interface SagaInstance<State extends string, Failure extends SagaFailure = SagaFailure> {
  id: string;
  status: State;
  failure?: Failure;
  needsAttention: boolean;
  /** Failed compensation passes so far, counted across restarts. */
  compensationAttempts: number;
  updatedAt: Date;
  /** Oldest first. */
  history: SagaTransitionRecord<State>[];
}

/** The fields of an instance the engine itself sets through the saga's patch type. */
export interface EnginePatch<Failure extends SagaFailure> {
  failure?: Failure;
  needsAttention?: boolean;
  compensationAttempts?: number;
}

/** What a step (or an undo) gets: the instance as persisted, the saga's dependencies and the engine's help. */
export interface StepContext<Instance, Patch, Deps> {
  readonly session: Instance;
  readonly deps: Deps;
  /** Makes a downstream call under the step's retry policy (retryable failures, backoff, deadline). */
  call<T>(fn: () => Promise<T>): Promise<T>;
  /** Persists details without moving the saga. */
  save(patch: Patch): Promise<void>;
  /** Waits, unless the service is stopping. */
  pause(ms: number): Promise<void>;
  now(): Date;
  /** When this step's retries stop: when this drive started the step, plus the step's deadline. */
  readonly deadline: Date;
  /** Crash points for fault drills; a no-op in normal runs. */
  readonly faults: SagaFaults;
}

/** The saga's test hook: told when it passes a named crash point. A no-op in normal runs. */
export interface SagaFaults {
  reached(point: string): void;
}

export const noFaults: SagaFaults = { reached() {} };

/** A step's verdict: done (enter the step's state), failed (compensate), or wait (stay, resume later). */
export type StepResult<Patch, Failure extends SagaFailure> =
  | { kind: "done"; reason: string; patch?: Patch }
  | { kind: "failed"; reason: string; failure: Failure; patch?: Patch }
  | { kind: "wait"; reason: string };

export const done = <Patch>(reason: string, patch?: Patch) => ({ kind: "done", reason, patch }) as const;
export const failed = <Patch, Failure extends SagaFailure>(failure: Failure, patch?: Patch, reason = failure.message) =>
  ({ kind: "failed", reason, failure, patch }) as const;
export const waitFor = (reason: string) => ({ kind: "wait", reason }) as const;

/** A step's undo: idempotent, safe when the step did nothing; answers what it did, for the history. */
export interface Compensation<Instance, Patch, Deps> {
  name: string;
  run(ctx: StepContext<Instance, Patch, Deps>): Promise<string>;
}

/**
 * One saga step, as its own file holds it: a business action with its compensation beside it.
 * The engine undoes a step when it completed, and also when it failed with a code not in
 * `changesNothingOn` (its answer may have been lost after it acted).
 */
export interface SagaStepBody<Instance, Patch, Deps, Failure extends SagaFailure = SagaFailure> {
  /** The business name: spans, logs, metrics and docs use it. */
  name: string;
  action(ctx: StepContext<Instance, Patch, Deps>): Promise<StepResult<Patch, Failure>> | StepResult<Patch, Failure>;
  compensation?: Compensation<Instance, Patch, Deps>;
  /** Failure codes that prove the step changed nothing, so it needs no undo. */
  changesNothingOn?: readonly string[];
  /** For a step after the pivot: failure codes that may still turn the saga back (completing became impossible). */
  turnsBackOn?: readonly string[];
  /**
   * The action only decides from the instance: no call leaves the process, nothing is saved. The
   * engine then writes its transition in the same transaction as the one before it (one commit
   * for both, each still its own history row), unless driven one step at a time.
   */
  local?: boolean;
  /**
   * Local for the instances `test` picks only (a checkout with no points to redeem calls
   * nothing); `when` says which, in words, for the docs.
   */
  localWhen?: { test: (instance: Instance) => boolean; when: string };
}

/** A step as the saga's definition places it: the state it enters, how it retries, whether it is the pivot. */
export interface SagaStep<State extends string, Instance, Patch, Deps, Failure extends SagaFailure = SagaFailure>
  extends SagaStepBody<Instance, Patch, Deps, Failure> {
  /** The state the saga enters when the step is done. */
  enters: State;
  /** How `ctx.call` retries this step's downstream calls. */
  retry?: RetryPolicy;
  /**
   * How long after a drive starts the step its calls keep retrying
   * (ctx.deadline), waiting out an open circuit too; without one, a call gets `retry.attempts`
   * tries and an open circuit fails it at once.
   */
  deadlineMs?: number;
  /** After the pivot's success the saga only moves forward. */
  pivot?: boolean;
}

/** A saga: its states and its ordered steps. Everything else (transitions, undo order, docs) derives from it. */
export interface SagaDefinition<
  State extends string,
  Instance,
  Patch,
  Deps,
  Failure extends SagaFailure = SagaFailure,
> {
  name: string;
  /** The state a new instance starts in. */
  initial: State;
  compensating: State;
  failed: State;
  /** In order; the last step's state is the saga's successful end. */
  steps: readonly SagaStep<State, Instance, Patch, Deps, Failure>[];
}

/** The states a definition names, as a union type (from the literals it was written with). */
export type SagaStates<D extends AnySagaDefinition> =
  | D["initial"]
  | D["steps"][number]["enters"]
  | D["compensating"]
  | D["failed"];

// biome-ignore lint/suspicious/noExplicitAny: any definition, whatever its instance and ports
export type AnySagaDefinition = SagaDefinition<string, any, any, any, any>;

/**
 * Checks a definition once, at start-up: unique states, at most one pivot, no undo after the
 * pivot. Keeps the literal state names, so the states' union type derives from it (SagaStates).
 */
export function defineSaga<const D extends AnySagaDefinition>(definition: D): D {
  const states = [
    definition.initial,
    ...definition.steps.map((s) => s.enters),
    definition.compensating,
    definition.failed,
  ];
  const duplicate = states.find((s, i) => states.indexOf(s) !== i);
  if (duplicate) throw new Error(`saga ${definition.name}: state ${duplicate} appears twice`);
  if (definition.steps.length === 0) throw new Error(`saga ${definition.name} has no steps`);
  const pivots = definition.steps.filter((s) => s.pivot);
  if (pivots.length > 1) throw new Error(`saga ${definition.name} has more than one pivot`);
  const pivotIndex = definition.steps.findIndex((s) => s.pivot);
  if (pivotIndex >= 0) {
    const undoAfter = definition.steps.slice(pivotIndex + 1).find((s) => s.compensation);
    if (undoAfter) throw new Error(`saga ${definition.name}: step "${undoAfter.name}" after the pivot has an undo`);
  }
  return definition;
}
