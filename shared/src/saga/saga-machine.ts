import type { Compensation, SagaDefinition, SagaFailure, SagaInstance, SagaStep } from "./saga-definition.js";

/** One edge of a saga's state machine, with what runs on it. */
export interface SagaEdge<State extends string> {
  from: State;
  to: State;
  kind: "step" | "fail" | "compensate";
  /** The step whose action runs on this edge (step edges), or whose failure takes it (fail edges). */
  step?: string;
  /** After the pivot, the failure codes that alone may take a fail edge. */
  onlyOn?: readonly string[];
  /** Step edges: the step's undo, run if the saga later compensates. */
  compensation?: string;
  /** Step edges: the step calls nothing outside, so its transition is written with the one before it. */
  local?: boolean;
  /** Step edges: local only for some instances, these (in words). */
  localWhen?: string;
  /** Compensate edges: the undos that may run on it, in the order they would. */
  compensations?: readonly string[];
}

export type StateKind = "initial" | "step" | "completed" | "compensating" | "failed";

/** A saga's state machine, derived from its definition: what docs, tests and the inspector draw. */
export interface SagaMachine<State extends string> {
  name: string;
  states: { name: State; kind: StateKind; pivot: boolean }[];
  edges: SagaEdge<State>[];
  completed: State;
}

// biome-ignore lint/suspicious/noExplicitAny: the machine reads names and flags only
type AnyDefinition<State extends string> = SagaDefinition<State, any, any, any, any>;
// biome-ignore lint/suspicious/noExplicitAny: as above
type AnyStep<State extends string> = SagaStep<State, any, any, any, any>;

/** The source state of each step: the initial state, then each previous step's state. */
function sourceOf<State extends string>(definition: AnyDefinition<State>, index: number): State {
  return index === 0 ? definition.initial : (definition.steps[index - 1] as AnyStep<State>).enters;
}

const pivotIndex = (definition: AnyDefinition<string>) => {
  const i = definition.steps.findIndex((s) => s.pivot);
  return i < 0 ? definition.steps.length - 1 : i;
};

/** Derives the whole machine: forward edges, fail edges (before the pivot, or on a step's turn-back codes), the undo edge. */
export function sagaMachine<State extends string>(definition: AnyDefinition<State>): SagaMachine<State> {
  const steps = definition.steps as readonly AnyStep<State>[];
  const completed = (steps.at(-1) as AnyStep<State>).enters;
  const pivot = pivotIndex(definition);
  const edges: SagaEdge<State>[] = [];
  steps.forEach((step, i) => {
    const from = sourceOf(definition, i);
    edges.push({
      from,
      to: step.enters,
      kind: "step",
      step: step.name,
      compensation: step.compensation?.name,
      ...(step.local ? { local: true } : {}),
      ...(step.localWhen ? { localWhen: step.localWhen.when } : {}),
    });
    if (i <= pivot) edges.push({ from, to: definition.compensating, kind: "fail", step: step.name });
    else if (step.turnsBackOn?.length) {
      edges.push({ from, to: definition.compensating, kind: "fail", step: step.name, onlyOn: step.turnsBackOn });
    }
  });
  edges.push({
    from: definition.compensating,
    to: definition.failed,
    kind: "compensate",
    compensations: [...steps].reverse().flatMap((s) => (s.compensation ? [s.compensation.name] : [])),
  });
  const pivotState = definition.steps.some((s) => s.pivot) ? steps[pivot]?.enters : undefined;
  const states: SagaMachine<State>["states"] = [
    { name: definition.initial, kind: "initial", pivot: false },
    ...steps.map((s) => ({
      name: s.enters,
      kind: (s.enters === completed ? "completed" : "step") as StateKind,
      pivot: s.enters === pivotState,
    })),
    { name: definition.compensating, kind: "compensating", pivot: false },
    { name: definition.failed, kind: "failed", pivot: false },
  ];
  return { name: definition.name, states, edges, completed };
}

export class IllegalTransitionError extends Error {
  override readonly name = "IllegalTransitionError";
  constructor(
    readonly saga: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`illegal ${saga} transition ${from} → ${to}`);
  }
}

/**
 * Throws unless the machine has an edge from `from` to `to`; an edge limited to some failure
 * codes (after the pivot) needs one of them as `failureCode`.
 */
export function assertTransition<State extends string>(
  machine: SagaMachine<State>,
  from: State,
  to: State,
  failureCode?: string,
): void {
  const edge = machine.edges.find((e) => e.from === from && e.to === to);
  if (!edge || (edge.onlyOn && !edge.onlyOn.includes(failureCode ?? "")))
    throw new IllegalTransitionError(machine.name, from, to);
}

/** The completed and failed states are final: nothing moves a saga out of them. */
export const isFinal = <State extends string>(machine: SagaMachine<State>, status: State): boolean =>
  !machine.edges.some((e) => e.from === status);

/**
 * The undos to run, newest first: those of the steps that completed before compensation began
 * (the saga is linear, so the state it turned back from says which), then — first of all — the
 * failing step's own, unless its failure code proves it changed nothing. Derived, never written.
 */
export function compensationPlan<State extends string, Instance extends SagaInstance<State, SagaFailure>>(
  // biome-ignore lint/suspicious/noExplicitAny: see AnyDefinition
  definition: SagaDefinition<State, Instance, any, any, any>,
  instance: Instance,
  // biome-ignore lint/suspicious/noExplicitAny: undos are typed by their own step
): Compensation<Instance, any, any>[] {
  const steps = definition.steps;
  const turnedBackFrom = instance.history.findLast((t) => t.to === definition.compensating)?.from;
  // No record of where it turned back: assume everything may have happened (undos are idempotent).
  const failingIndex =
    turnedBackFrom === undefined
      ? steps.length - 1
      : steps.findIndex((_, i) => sourceOf(definition, i) === turnedBackFrom);
  const failing = steps[failingIndex];
  const undoFailing = failing && !failing.changesNothingOn?.includes(instance.failure?.code ?? "");
  const toUndo = [...steps.slice(0, failingIndex), ...(undoFailing && failing ? [failing] : [])];
  return toUndo.reverse().flatMap((s) => (s.compensation ? [s.compensation] : []));
}
