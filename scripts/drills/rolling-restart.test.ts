import { createPostgres } from "@checkout-saga/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckoutClient, createCheckoutClient, type Outcome } from "../lib/checkout-client.js";
import { eventually } from "../lib/eventually.js";
import {
  type IsolatedStack,
  runStack,
  stackDatabaseUrl,
  startIsolatedStack,
  waitUntilReady,
} from "../lib/stack-process.js";
import { TEST_ADDRESS as ADDRESS } from "../lib/test-address.js";

/**
 * Rolling-restart drill in production mode (issue #17 item 3): `npm run stack -- up` on free
 * ports in a temp dir, steady checkout load from well-behaved clients through the gateway, and
 * meanwhile each service in turn killed with SIGKILL and started again, then all of them one
 * after another. Every restart is far shorter than a step's deadline, so the contract promises
 * that every checkout rides through it: clients end with a final answer, no checkout fails
 * with STEP_FAILED, and the four databases agree on what was bought.
 */

/** Killed in this order, each followed by a few seconds of load once it is ready again. */
const IN_TURN = [
  "inventory-service",
  "payment-service",
  "cart-service",
  "product-service",
  "orders-service",
  "checkout-service",
  "gateway",
];
const CLIENTS = 8;
/** A client waits this long between one checkout's answer and the next add-to-cart (keeps demand below stock). */
const PAUSE_MS = 2_500;
const LOAD_AFTER_RESTART_MS = 3_000;
/** How long one checkout may take to reach a final answer, retries included. */
const CHECKOUT_DEADLINE_MS = 90_000;
/** Demand stays below this share of the seeded stock, so no answer is "out of stock". */
const STOCK_SHARE = 0.8;
const CHECKOUT_BODY = { payment_method: { type: "card", token: "tok_visa" }, shipping_address: ADDRESS };

let system: IsolatedStack | undefined;
let env: IsolatedStack["env"] = {};
const stack = (...args: string[]) => runStack(env, ...args);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  system = await startIsolatedStack("checkout-saga-rolling-", {
    NODE_ENV: "production",
    // Each client is one user making many requests: the per-user limit is not under test.
    RATE_LIMIT_PER_MINUTE: "0",
  });
  env = system.env;
}, 300_000);

afterAll(async () => {
  await system?.stop();
}, 120_000);

/** Units each product may still be asked for: a share of what inventory seeded. */
function createDemandBudget(available: Map<string, number>) {
  const left = new Map([...available].map(([id, n]) => [id, Math.floor(n * STOCK_SHARE)]));
  return {
    /** The product with the most units left, taking one; undefined when none is left. */
    take(): string | undefined {
      const [id, n] = [...left].sort((a, b) => b[1] - a[1])[0] ?? [];
      if (id === undefined || !n) return undefined;
      left.set(id, n - 1);
      return id;
    },
  };
}

interface CheckoutRecord {
  key: string;
  /** What the drill was doing when the checkout started, to tell which restart a failure follows. */
  phase: string;
  outcome: Outcome;
}

/** One customer: adds a product, checks out with a fresh key, again and again until told to stop. */
async function shop(
  client: CheckoutClient,
  take: () => string | undefined,
  drill: { running: () => boolean; phase: () => string },
) {
  const checkouts: CheckoutRecord[] = [];
  const cartFailures: Outcome[] = [];
  let outOfBudget = false;
  for (let n = 0; drill.running(); n++) {
    const productId = take();
    if (!productId) {
      outOfBudget = true;
      break;
    }
    const add = await client.addToCart(productId, 1);
    if (!add.final) {
      cartFailures.push(add);
      continue;
    }
    const key = `${client.user}-${n}`;
    const phase = drill.phase();
    checkouts.push({ key, phase, outcome: await client.checkout(key, CHECKOUT_BODY) });
    await sleep(PAUSE_MS);
  }
  return { checkouts, cartFailures, outOfBudget };
}

/** `{a: 2, b: 1}` for ["a", "b", "a"], as "a×2 b×1". */
function tally(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v}×${n}`).join(" ") || "none";
}

describe("rolling restart under load", () => {
  it("answers every checkout and keeps the four databases in agreement while each service is SIGKILLed and restarted", async () => {
    const api = `http://127.0.0.1:${env.GATEWAY_PORT}/api/v1`;
    const runId = Date.now().toString(36);
    const clients = Array.from({ length: CLIENTS }, (_, i) =>
      createCheckoutClient({ api, user: `rolling-${runId}-${i}`, deadlineMs: CHECKOUT_DEADLINE_MS }),
    );
    await Promise.all(clients.map((c) => c.signIn()));
    const catalog = await clients[0]!.get("/products?limit=50");
    expect(catalog.final, `GET /products: ${JSON.stringify(catalog.last)}`).toBe(true);
    const budget = createDemandBudget(
      new Map((catalog.last.body.items as { id: string; available: number }[]).map((p) => [p.id, p.available])),
    );

    const started = Date.now();
    let drilling = true;
    let phase = "warm-up";
    const load = Promise.all(clients.map((c) => shop(c, budget.take, { running: () => drilling, phase: () => phase })));
    const restart = async (name: string) => {
      const stopped = await stack("stop", name, "--signal", "KILL");
      expect(stopped.output, `stack stop ${name} --signal KILL`).toContain(`${name}: stopped`);
      await sleep(1_000);
      const back = await stack("start", name);
      expect(back.output, `stack start ${name}`).toContain(`${name}: running`);
    };
    const ready = async (name: string) =>
      expect(await waitUntilReady(env, name, 60_000), `${name} ready after its restart`).toBe(true);
    let drillMs = 0;
    let shopped: Awaited<typeof load> = [];
    try {
      await sleep(LOAD_AFTER_RESTART_MS);
      for (const name of IN_TURN) {
        phase = name;
        await restart(name);
        await ready(name);
        await sleep(LOAD_AFTER_RESTART_MS);
      }
      // Once all of them, one right after the other: the next dies while the last is still warming up.
      phase = "all";
      for (const name of IN_TURN) await restart(name);
      for (const name of IN_TURN) await ready(name);
      await sleep(LOAD_AFTER_RESTART_MS);
    } finally {
      drillMs = Date.now() - started;
      drilling = false;
      // Even when the drill broke off: every client's checkout in flight gets its deadline.
      shopped = await load;
    }
    const loadMs = Date.now() - started;

    const checkouts = shopped.flatMap((s) => s.checkouts);
    const unanswered = checkouts.filter((c) => !c.outcome.final);
    const answered201 = checkouts
      .filter((c) => c.outcome.last.status === 201)
      .map((c) => c.outcome.last.body.checkout_id);
    for (const c of checkouts.filter((c) => c.outcome.final && c.outcome.last.status !== 201)) {
      console.log(
        `rolling-restart: ${c.key} (${c.phase}) answered ${c.outcome.last.status}: ${JSON.stringify(c.outcome.last.body)}`,
      );
    }
    const statusOf = (o: Outcome) => `${o.last.status}${o.last.problem ? ` ${o.last.problem}` : ""}`;
    const retried = checkouts.flatMap((c) =>
      Object.entries(c.outcome.retries).flatMap(([why, n]) => Array(n).fill(why)),
    );

    const checkoutDb = createPostgres(stackDatabaseUrl(env, "checkout"), { max: 1 });
    const paymentDb = createPostgres(stackDatabaseUrl(env, "payment"), { max: 1 });
    const inventoryDb = createPostgres(stackDatabaseUrl(env, "inventory"), { max: 1 });
    const ordersDb = createPostgres(stackDatabaseUrl(env, "orders"), { max: 1 });
    try {
      // Recovery resumes or compensates what a killed instance left (its lease runs out first).
      const unfinished = await eventually(
        () => checkoutDb<{ id: string; status: string; needs_attention: boolean }[]>`
          select id, status, needs_attention from checkout_sessions where status not in ('COMPLETED', 'FAILED')`,
        (rows) => rows.length === 0,
        90_000,
      );
      const sessions = await checkoutDb<{ id: string; status: string; code: string | null; message: string | null }[]>`
        select id, status, failure->>'code' as code, failure->>'message' as message from checkout_sessions`;
      const completed = new Set(sessions.filter((s) => s.status === "COMPLETED").map((s) => s.id));
      const failed = new Set(sessions.filter((s) => s.status === "FAILED").map((s) => s.id));
      const stepFailed = sessions
        .filter((s) => s.status === "FAILED" && s.code === "STEP_FAILED")
        .map((s) => ({ id: s.id, message: s.message }));

      // The orders consumer may still be catching up with the last completions.
      const ordersOf = await eventually(
        async () =>
          new Map(
            (
              await ordersDb<{ checkout_id: string; n: number }[]>`
                select checkout_id, count(*)::int as n from orders group by checkout_id`
            ).map((r) => [r.checkout_id, r.n]),
          ),
        (m) => [...completed].every((id) => m.get(id) === 1),
        30_000,
      );
      const charged = new Map(
        (
          await paymentDb<{ checkout_id: string; n: number }[]>`
            select checkout_id, count(*)::int as n from payments where status = 'SUCCEEDED' group by checkout_id`
        ).map((r) => [r.checkout_id, r.n]),
      );
      const held = await inventoryDb<{ checkout_id: string }[]>`
        select checkout_id from reservations where status = 'HELD'`;

      const notChargedOnce = [...completed].filter((id) => charged.get(id) !== 1);
      const chargedForFailed = [...charged.keys()].filter((id) => failed.has(id));
      const chargedForNothing = [...charged.keys()].filter((id) => !completed.has(id) && !failed.has(id));
      const heldForFinished = held.filter((r) => completed.has(r.checkout_id) || failed.has(r.checkout_id));
      const notOrderedOnce = [...completed].filter((id) => ordersOf.get(id) !== 1);
      const orderedNotCompleted = [...ordersOf.keys()].filter((id) => !completed.has(id));
      const answered201NotCompleted = answered201.filter((id) => !completed.has(id));
      // The other way round: a checkout that completed was answered as one (201, or 202 to
      // poll), never as a failure the client would act on.
      const completedOrPending = checkouts.filter((c) => [201, 202].includes(c.outcome.last.status)).length;

      console.log(
        `rolling-restart: drill ${(drillMs / 1000).toFixed(0)}s, load ${(loadMs / 1000).toFixed(0)}s, ${CLIENTS} clients` +
          ` | checkouts ${checkouts.length}: ${tally(checkouts.map((c) => statusOf(c.outcome)))}` +
          ` | started by phase ${tally(checkouts.map((c) => c.phase))}` +
          ` | not 201 by phase ${tally(checkouts.filter((c) => c.outcome.last.status !== 201).map((c) => `${c.phase}: ${statusOf(c.outcome)}`))}` +
          ` | no final answer ${unanswered.length}${unanswered.length ? ` (last ${tally(unanswered.map((c) => statusOf(c.outcome)))})` : ""}` +
          ` | retries ${tally(retried)}` +
          ` | cart gave up ${shopped.reduce((n, s) => n + s.cartFailures.length, 0)}, out of stock budget ${shopped.filter((s) => s.outOfBudget).length}` +
          ` | sessions ${tally(sessions.map((s) => s.status))}, STEP_FAILED ${stepFailed.length}, unfinished ${unfinished.length}` +
          ` | payments SUCCEEDED ${[...charged.values()].reduce((a, b) => a + b, 0)}, completed not charged once ${notChargedOnce.length}, kept for FAILED ${chargedForFailed.length}, for no checkout ${chargedForNothing.length}` +
          ` | reservations HELD ${held.length} (of finished checkouts ${heldForFinished.length})` +
          ` | orders ${[...ordersOf.values()].reduce((a, b) => a + b, 0)}, completed not ordered once ${notOrderedOnce.length}, for no completed ${orderedNotCompleted.length}` +
          ` | 201 not COMPLETED ${answered201NotCompleted.length}` +
          ` | COMPLETED ${completed.size} vs answered 201/202 ${completedOrPending}`,
      );

      expect(checkouts.length, "checkouts attempted during the drill").toBeGreaterThan(0);
      expect
        .soft(
          unanswered.map(({ key, phase, outcome: o }) => ({
            key,
            phase,
            last: statusOf(o),
            checkout_id: o.last.body?.checkout_id,
            attempts: o.attempts,
            retries: o.retries,
          })),
          "checkouts without a final answer",
        )
        .toEqual([]);
      expect.soft(stepFailed, "checkouts FAILED with STEP_FAILED (a restart shorter than a deadline)").toEqual([]);
      expect.soft(unfinished, "checkouts neither COMPLETED nor FAILED").toEqual([]);
      expect.soft(notChargedOnce, "COMPLETED checkouts without exactly one SUCCEEDED payment").toEqual([]);
      expect.soft(chargedForFailed, "SUCCEEDED payments kept for FAILED checkouts").toEqual([]);
      expect.soft(chargedForNothing, "SUCCEEDED payments of no finished checkout").toEqual([]);
      expect.soft(heldForFinished, "HELD reservations of finished checkouts").toEqual([]);
      expect.soft(notOrderedOnce, "COMPLETED checkouts without exactly one order").toEqual([]);
      expect.soft(orderedNotCompleted, "orders of checkouts that did not complete").toEqual([]);
      expect.soft(answered201NotCompleted, "checkouts answered 201 but not COMPLETED").toEqual([]);
      expect.soft(completed.size, "COMPLETED checkouts = checkouts answered 201 or 202").toBe(completedOrPending);
    } finally {
      await Promise.all([checkoutDb.end(), paymentDb.end(), inventoryDb.end(), ordersDb.end()]);
    }
  }, 600_000);
});
