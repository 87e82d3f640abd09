import { readFile } from "node:fs/promises";
import path from "node:path";
import { createPostgres } from "@checkout-saga/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../lib/eventually.js";
import { sendJson } from "../lib/send-json.js";
import { type IsolatedStack, runStack, stackDatabaseUrl, startIsolatedStack } from "../lib/stack-process.js";
import { TEST_ADDRESS as ADDRESS } from "../lib/test-address.js";

/**
 * Graceful shutdown under load, in production mode: `npm run stack -- up` on free ports in a
 * temp dir (like scripts/e2e-stack.ts), a few clients checking out steadily through the
 * gateway, and meanwhile every service stopped with SIGTERM and started again, one after the
 * other. Clients retry a failed request with the same Idempotency-Key, as the contract asks.
 * Afterwards nothing may be lost or half done.
 */

/** Replies are read field by field; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

/** Stopped in this order; the gateway last, since the clients reach everything through it. */
const DRILL = ["checkout-service", "orders-service", "cart-service", "payment-service", "inventory-service", "gateway"];
const CLIENTS = 3;
/** Products with the most stock, so the run is about shutdowns rather than running out. */
const PRODUCTS = ["2", "5", "3"];

let system: IsolatedStack | undefined;
let stackDir = "";
let env: IsolatedStack["env"] = {};

const stack = (...args: string[]) => runStack(env, ...args);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  system = await startIsolatedStack("checkout-saga-shutdown-", {
    // "stopped" is an info line, and the drill reads it from the logs.
    LOG_LEVEL: "info",
    LOG_FORMAT: "json",
    NODE_ENV: "production",
    // Each client is one user making many requests: the per-user limit is not under test.
    RATE_LIMIT_PER_MINUTE: "100000",
  });
  stackDir = system.stackDir;
  env = system.env;
}, 300_000);

afterAll(async () => {
  await system?.stop();
}, 120_000);

/** For a failure message: each checkout's outbox rows, and what orders-service logged of it and of any failure. */
async function whereTheOrdersWent(checkoutIds: string[]): Promise<string> {
  if (checkoutIds.length === 0) return "";
  const checkoutDb = createPostgres(stackDatabaseUrl(env, "checkout"), { max: 1 });
  try {
    const outbox = await checkoutDb`
      select aggregate_id, event_type, created_at, published_at from outbox where aggregate_id::text = any(${checkoutIds}::text[])`;
    const log = await readFile(path.join(stackDir, "logs", "orders-service.log"), "utf8");
    const said = log
      .split("\n")
      .filter((l) => checkoutIds.some((id) => l.includes(id)) || /"level":(40|50)/.test(l))
      .slice(-30);
    return `checkouts answered 201 without exactly one order: ${checkoutIds.join(", ")}\noutbox rows: ${JSON.stringify(outbox)}\norders-service said:\n${said.join("\n")}`;
  } finally {
    await checkoutDb.end();
  }
}

interface Reply {
  status: number;
  body: Json;
}

/** One customer: their own user and token, checking out again and again until told to stop. */
class Client {
  readonly completed: string[] = [];
  readonly outcomes: Record<string, number> = {};
  readonly gaveUp: string[] = [];
  private token = "";

  constructor(
    private readonly api: string,
    readonly user: string,
  ) {}

  /** Sends one request, retrying what a client should retry (the same request, the same key). */
  async call(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const deadline = Date.now() + 30_000;
    for (let attempt = 0; ; attempt++) {
      const answer = await sendJson(`${this.api}${route}`, {
        method,
        token: this.token,
        body,
        headers,
        timeoutMs: 15_000,
      });
      // Status 0: connection refused or reset while a process restarts: retry.
      const reply: Reply | undefined = answer.status === 0 ? undefined : { status: answer.status, body: answer.body };
      const retry =
        reply === undefined ||
        reply.status >= 500 ||
        reply.status === 429 ||
        (reply.status === 409 && String(reply.body?.type).endsWith("idempotency-key-in-flight"));
      if (!retry) return reply!;
      if (Date.now() > deadline) return reply ?? { status: 0, body: undefined };
      await sleep(Math.min(1_000, 100 * 2 ** attempt));
    }
  }

  async signIn() {
    const r = await this.call("POST", "/dev/token", { user_id: this.user });
    if (r.status !== 200 && r.status !== 201) throw new Error(`no dev token for ${this.user}: ${JSON.stringify(r)}`);
    this.token = r.body.token;
  }

  async run(until: () => boolean) {
    for (let n = 0; !until(); n++) {
      const add = await this.call("POST", "/cart/items", { product_id: PRODUCTS[n % PRODUCTS.length], quantity: 1 });
      if (add.status !== 201) {
        this.count(`add ${add.status}`);
        await sleep(200);
        continue;
      }
      const key = `${this.user}-${n}`;
      const body = { payment_method: { type: "card", token: "tok_visa" }, shipping_address: ADDRESS };
      const r = await this.call("POST", "/checkout", body, { "Idempotency-Key": key });
      this.count(`checkout ${r.status}`);
      if (r.status === 201) this.completed.push(r.body.checkout_id);
      else if (r.status === 0 || r.status >= 500) this.gaveUp.push(key);
    }
  }

  private count(what: string) {
    this.outcomes[what] = (this.outcomes[what] ?? 0) + 1;
  }

  /** Every order of this user, all pages. */
  async orders(): Promise<Json[]> {
    const all: Json[] = [];
    let token: string | null = null;
    do {
      const r = await this.call("GET", `/orders?limit=50${token ? `&page_token=${encodeURIComponent(token)}` : ""}`);
      if (r.status !== 200) throw new Error(`GET /orders → ${r.status}: ${JSON.stringify(r.body)}`);
      all.push(...r.body.items);
      token = r.body.next_page_token;
    } while (token);
    return all;
  }
}

describe("graceful shutdown under load", () => {
  it("loses and strands nothing while every service is stopped with SIGTERM and started again", async () => {
    const api = `http://127.0.0.1:${env.GATEWAY_PORT}/api/v1`;
    const runId = Date.now().toString(36);
    const clients = Array.from({ length: CLIENTS }, (_, i) => new Client(api, `shutdown-${runId}-${i}`));
    await Promise.all(clients.map((c) => c.signIn()));

    let drilling = true;
    const load = Promise.all(clients.map((c) => c.run(() => !drilling)));
    const logSizes = new Map<string, number>();
    try {
      await sleep(2_000);
      for (const name of DRILL) {
        // Only what this stop writes counts: the log file is appended to across restarts.
        logSizes.set(name, (await readFile(path.join(stackDir, "logs", `${name}.log`), "utf8")).length);
        const stopped = await stack("stop", name);
        expect(stopped.output, `stack stop ${name}`).toContain(`${name}: stopped`);
        await sleep(500);
        const started = await stack("start", name);
        expect(started.output, `stack start ${name}`).toContain(`${name}: running`);
        await sleep(1_000);
      }
    } finally {
      drilling = false;
      await load;
    }

    const outcomes = clients.map((c) => ({ user: c.user, ...c.outcomes, gaveUp: c.gaveUp }));
    const completed = clients.flatMap((c) => c.completed);
    expect(completed.length, JSON.stringify(outcomes)).toBeGreaterThan(0);

    // Each process left on its own, within the grace period, after stopping cleanly.
    for (const name of DRILL) {
      const log = (await readFile(path.join(stackDir, "logs", `${name}.log`), "utf8")).slice(logSizes.get(name));
      const lines = log
        .split("\n")
        .filter((l) => l.startsWith("{"))
        .map((l) => JSON.parse(l) as { msg?: string });
      expect(
        lines.some((l) => l.msg === "stopped"),
        `${name} logged "stopped"; its log after SIGTERM:\n${log.slice(0, 3_000)}`,
      ).toBe(true);
    }

    // Every 201 became exactly one order. The consumers may still be catching up: six restarts
    // in a row each cost the groups a rebalance, and a member that died waits out its session.
    const ordersByCheckout = await eventually(
      async () => {
        const counts = new Map<string, number>();
        for (const c of clients)
          for (const o of await c.orders()) counts.set(o.checkout_id, (counts.get(o.checkout_id) ?? 0) + 1);
        return counts;
      },
      (counts) => completed.every((id) => counts.get(id) === 1),
      60_000,
    );
    const unordered = completed.filter((id) => ordersByCheckout.get(id) !== 1);
    expect(unordered, await whereTheOrdersWent(unordered)).toEqual([]);

    const db = (name: "checkout" | "inventory" | "payment") => createPostgres(stackDatabaseUrl(env, name), { max: 1 });
    const checkoutDb = db("checkout");
    const inventoryDb = db("inventory");
    const paymentDb = db("payment");
    try {
      // Every checkout finished (recovery picks up what a stopped instance left behind).
      const unfinished = await eventually(
        () => checkoutDb<{ id: string; status: string }[]>`
          select s.id, s.status, s.needs_attention, s.compensation_attempts, s.failure,
                 (select json_agg(json_build_object('to', t.to_status, 'reason', t.reason) order by t.seq)
                    from checkout_transitions t where t.checkout_id = s.id) as history
            from checkout_sessions s where s.status not in ('COMPLETED', 'FAILED')`,
        (rows) => rows.length === 0,
        30_000,
      );
      expect(unfinished, "checkouts neither COMPLETED nor FAILED").toEqual([]);
      const statuses = await checkoutDb<{ id: string; status: string }[]>`select id, status from checkout_sessions`;
      const statusOf = new Map(statuses.map((s) => [s.id, s.status]));
      for (const id of completed) expect(statusOf.get(id), `checkout ${id} answered 201`).toBe("COMPLETED");

      // No stock left held for a checkout that has ended.
      const held = await inventoryDb`select id, created_at from reservations where status = 'HELD'`;
      expect(held, "HELD reservations after every checkout ended").toEqual([]);

      // No money kept for a checkout that failed.
      const failed = statuses.filter((s) => s.status === "FAILED").map((s) => s.id);
      const charged = await paymentDb<{ checkout_id: string; status: string }[]>`
        select checkout_id, status from payments where status = 'SUCCEEDED'`;
      expect(
        charged.filter((p) => failed.includes(p.checkout_id)),
        "SUCCEEDED payments of FAILED checkouts",
      ).toEqual([]);
    } finally {
      await Promise.all([checkoutDb.end(), inventoryDb.end(), paymentDb.end()]);
    }
  }, 150_000);
});
