import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  createSagaDriver,
  defineSaga,
  done,
  failed,
  type SagaDefinition,
  type SagaInstance,
  type SagaStep,
  type SagaStore,
  sagaMachine,
  sagaMermaid,
  waitFor,
} from "../src/index.js";
import { circuitOpenError } from "../src/resilience/circuit-breaker.js";
import { testLogger } from "../src/testing/index.js";

/** A made-up five-step saga: each step records its action and its undo in `log`. */
type State = "NEW" | "A_DONE" | "B_DONE" | "C_DONE" | "D_DONE" | "E_DONE" | "UNDOING" | "UNDONE";
interface Instance extends SagaInstance<State> {}
type Patch = { failure?: { code: string; message: string }; needsAttention?: boolean; compensationAttempts?: number };
interface Deps {
  log: string[];
  failAt?: string;
  /** How the undo of a step answers, by step letter: throw to fail the pass. */
  undoFails?: Record<string, () => Error>;
}

const letters = ["a", "b", "c", "d", "e"] as const;
const states: State[] = ["A_DONE", "B_DONE", "C_DONE", "D_DONE", "E_DONE"];

const step = (letter: (typeof letters)[number], i: number): SagaStep<State, Instance, Patch, Deps> => ({
  name: `step ${letter}`,
  enters: states[i] as State,
  action: (ctx) => {
    ctx.deps.log.push(letter);
    return ctx.deps.failAt === letter ? failed({ code: "BOOM", message: `${letter} failed` }) : done(`${letter} done`);
  },
  // Step "c" has no undo; "d" is the pivot, so "e" may not have one either.
  compensation:
    letter === "c" || letter === "e"
      ? undefined
      : {
          name: `undo ${letter}`,
          run: async (ctx) => {
            const failure = ctx.deps.undoFails?.[letter]?.();
            if (failure) throw failure;
            ctx.deps.log.push(`undo ${letter}`);
            return `${letter} undone`;
          },
        },
  pivot: letter === "d",
  // A failure of "b" with this code proves it did nothing.
  changesNothingOn: letter === "b" ? ["NOTHING_DONE"] : undefined,
  turnsBackOn: letter === "e" ? ["BOOM"] : undefined,
});

const saga = defineSaga<SagaDefinition<State, Instance, Patch, Deps>>({
  name: "test",
  initial: "NEW",
  steps: letters.map(step),
  compensating: "UNDOING",
  failed: "UNDONE",
});

type MemoryStore = SagaStore<State, Instance, Patch, string> & {
  events: string[];
  instance: Instance;
  /** One entry per transition write: the states it recorded, in order. */
  writes: State[][];
  leaseReleased: boolean;
};

function memoryStore(): MemoryStore {
  const instance: Instance = {
    id: "s-1",
    status: "NEW",
    needsAttention: false,
    compensationAttempts: 0,
    updatedAt: new Date(),
    history: [],
  };
  const events: string[] = [];
  const writes: State[][] = [];
  const store: MemoryStore = {
    instance,
    events,
    writes,
    leaseReleased: false,
    load: async () => structuredClone(instance),
    async transition(change) {
      if (instance.status !== change.from) return false;
      const states = [change.from, ...(change.via ?? []).map((v) => v.state), change.to];
      const reasons = [...(change.via ?? []).map((v) => v.reason), change.reason];
      Object.assign(instance, change.patch, { status: change.to });
      reasons.forEach((reason, i) => {
        instance.history.push({ from: states[i], to: states[i + 1] as State, reason, at: change.at });
      });
      writes.push(states.slice(1));
      if (change.outbox) events.push(change.outbox);
      store.leaseReleased = change.releaseLease ?? false;
      return true;
    },
    async annotate(note) {
      Object.assign(instance, note.patch);
      return true;
    },
    renewLease: async () => true,
  };
  return store;
}

/** The same saga with step "c" local: it calls nothing outside. */
const withLocalStepC = defineSaga<SagaDefinition<State, Instance, Patch, Deps>>({
  ...saga,
  steps: saga.steps.map((s) => (s.name === "step c" ? { ...s, local: true } : s)),
});

function driverFor(
  deps: Deps,
  store: MemoryStore = memoryStore(),
  definition: SagaDefinition<State, Instance, Patch, Deps> = saga,
  transientPatienceMs = 0,
) {
  const driver = createSagaDriver({
    definition,
    store,
    deps,
    clock: { now: () => new Date() },
    logger: testLogger(),
    settings: {
      leaseMs: 30_000,
      compensationRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, transientPatienceMs },
    },
    signal: new AbortController().signal,
    announce: (instance) => `${instance.status} announced`,
    idField: "checkoutId",
  });
  return { driver, store };
}

describe("saga engine", () => {
  it("runs every step in order to the last step's state and announces it in the final transition", async () => {
    const deps: Deps = { log: [] };
    const { driver, store } = driverFor(deps);
    const end = await driver.drive("s-1", "me");
    expect(end.status).toBe("E_DONE");
    expect(deps.log).toEqual(["a", "b", "c", "d", "e"]);
    expect(store.events).toEqual(["E_DONE announced"]);
  });

  // The undo order is derived: a failure after each step in turn undoes exactly the steps
  // that completed (and the failing one, which may have acted), newest first.
  it.each([
    ["a", ["a", "undo a"]],
    ["b", ["a", "b", "undo b", "undo a"]],
    ["c", ["a", "b", "c", "undo b", "undo a"]],
    ["d", ["a", "b", "c", "d", "undo d", "undo b", "undo a"]],
    ["e", ["a", "b", "c", "d", "e", "undo d", "undo b", "undo a"]],
  ])("a failure in step %s undoes exactly what ran before it, in reverse", async (failAt, expected) => {
    const deps: Deps = { log: [], failAt };
    const { driver, store } = driverFor(deps);
    const end = await driver.drive("s-1", "me");
    expect(end.status).toBe("UNDONE");
    expect(deps.log).toEqual(expected);
    expect(store.events).toEqual(["UNDONE announced"]);
  });

  it("does not undo a failing step whose failure code proves it did nothing", async () => {
    const failAt = "b";
    const deps: Deps = { log: [] };
    const nothingDone = defineSaga<SagaDefinition<State, Instance, Patch, Deps>>({
      ...saga,
      steps: saga.steps.map((s) =>
        s.name === `step ${failAt}` ? { ...s, action: () => failed({ code: "NOTHING_DONE", message: "refused" }) } : s,
      ),
    });
    const driver = createSagaDriver({
      ...{ definition: nothingDone, store: memoryStore(), deps },
      clock: { now: () => new Date() },
      logger: testLogger(),
      settings: {
        leaseMs: 30_000,
        compensationRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, transientPatienceMs: 0 },
      },
      signal: new AbortController().signal,
      announce: () => "x",
      idField: "checkoutId",
    });
    await driver.drive("s-1", "me");
    expect(deps.log).toEqual(["a", "undo a"]);
  });

  it("after the pivot, turns back only on the codes the step names", () => {
    const machine = sagaMachine(saga);
    const turnBack = machine.edges.filter((e) => e.kind === "fail").map((e) => [e.from, e.onlyOn ?? null]);
    expect(turnBack).toEqual([
      ["NEW", null],
      ["A_DONE", null],
      ["B_DONE", null],
      ["C_DONE", null],
      ["D_DONE", ["BOOM"]],
    ]);
  });

  it("makes one transition per step in step mode", async () => {
    const deps: Deps = { log: [] };
    const { driver } = driverFor(deps);
    expect((await driver.drive("s-1", "me", { maxSteps: 1 })).status).toBe("A_DONE");
    expect((await driver.drive("s-1", "me", { maxSteps: 1 })).status).toBe("B_DONE");
    expect(deps.log).toEqual(["a", "b"]);
  });

  it("writes a local step's transition with the one before it, one history row each", async () => {
    const deps: Deps = { log: [] };
    const store = memoryStore();
    const { driver } = driverFor(deps, store, withLocalStepC);
    const end = await driver.drive("s-1", "me");
    expect(end.status).toBe("E_DONE");
    expect(deps.log).toEqual(["a", "b", "c", "d", "e"]);
    expect(store.writes).toEqual([["A_DONE"], ["B_DONE", "C_DONE"], ["D_DONE"], ["E_DONE"]]);
    expect(store.instance.history.map((h) => `${h.from}→${h.to}: ${h.reason}`)).toEqual([
      "NEW→A_DONE: a done",
      "A_DONE→B_DONE: b done",
      "B_DONE→C_DONE: c done",
      "C_DONE→D_DONE: d done",
      "D_DONE→E_DONE: e done",
    ]);
    // What the driver holds is what it wrote.
    expect(end.history).toEqual(store.instance.history);
  });

  it("writes a step local for some instances with the one before for those only", async () => {
    const localFor = (id: string) =>
      defineSaga<SagaDefinition<State, Instance, Patch, Deps>>({
        ...saga,
        steps: saga.steps.map((s) =>
          s.name === "step c"
            ? { ...s, localWhen: { test: (i: Instance) => i.id === id, when: `the id is ${id}` } }
            : s,
        ),
      });
    const picked = driverFor({ log: [] }, memoryStore(), localFor("s-1"));
    await picked.driver.drive("s-1", "me");
    expect(picked.store.writes).toEqual([["A_DONE"], ["B_DONE", "C_DONE"], ["D_DONE"], ["E_DONE"]]);
    const passed = driverFor({ log: [] }, memoryStore(), localFor("another"));
    await passed.driver.drive("s-1", "me");
    expect(passed.store.writes).toEqual([["A_DONE"], ["B_DONE"], ["C_DONE"], ["D_DONE"], ["E_DONE"]]);
    // The docs say when.
    const edge = sagaMachine(localFor("s-1")).edges.find((e) => e.step === "step c" && e.kind === "step");
    expect(edge?.localWhen).toBe("the id is s-1");
  });

  it("keeps a local step its own transition in step mode", async () => {
    const deps: Deps = { log: [] };
    const store = memoryStore();
    const { driver } = driverFor(deps, store, withLocalStepC);
    for (let i = 0; i < 3; i++) await driver.drive("s-1", "me", { maxSteps: 1 });
    expect(store.writes).toEqual([["A_DONE"], ["B_DONE"], ["C_DONE"]]);
  });

  it("lets the lease go with the final transition only", async () => {
    const store = memoryStore();
    const { driver } = driverFor({ log: [] }, store);
    await driver.drive("s-1", "me", { maxSteps: 4 });
    expect(store.leaseReleased).toBe(false);
    await driver.drive("s-1", "me");
    expect(store.leaseReleased).toBe(true);
  });

  it("starts from the instance it is given without reading it back", async () => {
    const store = memoryStore();
    let loads = 0;
    const counted = {
      ...store,
      load: async (id: string) => {
        loads++;
        return store.load(id);
      },
    };
    const { driver } = driverFor({ log: [] }, counted);
    const end = await driver.drive(structuredClone(store.instance), "me");
    expect(end.status).toBe("E_DONE");
    expect(loads).toBe(0);
  });

  it("waits without moving when a step says wait", async () => {
    const waiting = defineSaga<SagaDefinition<State, Instance, Patch, Deps>>({
      ...saga,
      steps: [{ ...saga.steps[0]!, action: () => waitFor("not yet") }, ...saga.steps.slice(1)],
    });
    const store = memoryStore();
    const driver = createSagaDriver({
      definition: waiting,
      store,
      deps: { log: [] },
      clock: { now: () => new Date() },
      logger: testLogger(),
      settings: {
        leaseMs: 30_000,
        compensationRetry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1, transientPatienceMs: 0 },
      },
      signal: new AbortController().signal,
      announce: () => "x",
      idField: "checkoutId",
    });
    expect((await driver.drive("s-1", "me")).status).toBe("NEW");
    expect(store.instance.history).toEqual([]);
  });

  it("does not spend compensation attempts while the downstream's circuit is open", async () => {
    let openAnswers = 8;
    const deps: Deps = {
      log: [],
      failAt: "b",
      undoFails: { a: () => (openAnswers-- > 0 ? circuitOpenError("inventory") : (undefined as unknown as Error)) },
    };
    const { driver, store } = driverFor(deps);
    const end = await driver.drive("s-1", "me");
    expect(end.status).toBe("UNDONE");
    expect(store.instance.compensationAttempts).toBe(0);
    // Each pass reruns the plan from the top (undos are idempotent); the ninth gets through.
    expect(deps.log.filter((x) => x === "undo b")).toHaveLength(9);
    expect(deps.log.at(-1)).toBe("undo a");
  });

  it("waits out a downstream that is restarting without spending compensation attempts", async () => {
    let refusals = 8;
    const deps: Deps = {
      log: [],
      failAt: "b",
      undoFails: {
        a: () =>
          refusals-- > 0
            ? new ConnectError("Stream closed with error code NGHTTP2_REFUSED_STREAM", Code.Unavailable)
            : (undefined as unknown as Error),
      },
    };
    const { driver, store } = driverFor(deps, memoryStore(), saga, 60_000);
    const end = await driver.drive("s-1", "me");
    expect([end.status, end.needsAttention, store.instance.compensationAttempts]).toEqual(["UNDONE", false, 0]);
    expect(deps.log.at(-1)).toBe("undo a");
  });

  it("counts a downstream that stays unreachable past its patience, and flags it", async () => {
    const deps: Deps = {
      log: [],
      failAt: "b",
      undoFails: { a: () => new ConnectError("connect ECONNREFUSED", Code.Unavailable) },
    };
    const { driver, store } = driverFor(deps, memoryStore(), saga, 0);
    const end = await driver.drive("s-1", "me");
    expect([end.status, end.needsAttention, store.instance.compensationAttempts]).toEqual(["UNDOING", true, 3]);
  });

  it("flags an undo that keeps failing as needing attention and stays compensating", async () => {
    const deps: Deps = { log: [], failAt: "b", undoFails: { a: () => new Error("inventory says no") } };
    const { driver, store } = driverFor(deps);
    const end = await driver.drive("s-1", "me");
    expect([end.status, end.needsAttention, end.compensationAttempts]).toEqual(["UNDOING", true, 3]);
    expect(store.events).toEqual([]);
  });

  it("refuses a definition with two pivots or an undo after the pivot", () => {
    expect(() => defineSaga({ ...saga, steps: saga.steps.map((s) => ({ ...s, pivot: true })) })).toThrow(/pivot/);
    const undoAfter = saga.steps.map((s) =>
      s.name === "step e" ? { ...s, compensation: { name: "x", run: async () => "" } } : s,
    );
    expect(() => defineSaga({ ...saga, steps: undoAfter })).toThrow(/after the pivot/);
  });

  it("draws its machine from the definition", () => {
    const diagram = sagaMermaid(sagaMachine(saga));
    expect(diagram).toContain("NEW --> A_DONE: step a");
    expect(diagram).toContain("D_DONE --> UNDOING: step e fails (BOOM only)");
    expect(diagram).toContain("UNDOING --> UNDONE: undo: undo d → undo b → undo a");
  });
});
