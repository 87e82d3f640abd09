import { mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import postgres, { type Sql } from "postgres";
import { summarize } from "../lib/stats.js";
import {
  type CheckoutBenchTarget,
  givenGateway,
  type SystemInternals,
  startEmbeddedTarget,
  startStackTarget,
} from "./checkout-target.js";
import { growth } from "./growth.js";
import { FLOOR_DATABASE, type FloorResult, runPlainSqlFloor } from "./plain-sql-floor.js";
import {
  type Commits,
  commitsByDatabase,
  STATISTICS_DATABASE,
  STATS_PUBLISHED_MS,
  serverVersion,
} from "./postgres-commits.js";
import { type CpuMs, clockTicksPerSecond, ownCpuMs, treeCpuMs } from "./process-cpu.js";
import { type RpcCounts, rpcCounts } from "./rpc-counts.js";

/** Replies are read field by field and checked; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

export const checkoutBenchUsage = `usage: npm run bench -- checkout [--clients N | --rate R] [--duration SECONDS] [--sample N]
         [--floor-duration SECONDS] [--stack | --base-url URL | --cpu-prof DIR]

N concurrent clients, each its own user, loop add-to-cart + checkout through the gateway
for a fixed time. Prints checkouts/s, p50/p95/p99 latencies, and checkout-response →
order-visible latency (every Nth checkout is polled via GET /orders until its order appears).
Without --base-url it starts its own system in a temp dir with ample stock (the embedded
system as npm start runs it, or with --stack the production stack), and also prints, per
completed checkout over the measured window (warm-up excluded):
  PostgreSQL commits, in all and by database (pg_stat_database)
  RPCs, in all and by RPC service/method (every service's /metrics)
  CPU ms by process (/proc), and the load generator's own apart
and then the plain-SQL floor: the same business work as 3 plain SQL transactions on the
same PostgreSQL server, with as many clients, in a scratch database ${FLOOR_DATABASE}:
its checkouts/s, commits and CPU per checkout, and the system's throughput as a share of it.

  --clients N         concurrent clients (default 16)
  --rate R            open loop instead: offer R add-to-cart + checkout rounds a second,
                      each by a user not busy with another, whatever the answers' pace;
                      latencies count from when a round was due, and every checkout's
                      order is looked up in the orders database afterwards (its commit
                      time against the checkout's 201), so "every order within 1 s" is
                      checked for all of them, not a sample
  --duration S        seconds of load after warm-up (default 20)
  --sample N          poll every Nth checkout for its order (default 5)
  --floor-duration S  seconds of the plain-SQL floor run (default 5)
  --stack             start the production stack (npm run stack) instead of the embedded
                      system; its first start provisions Kafka and FerretDB (minutes)
  --base-url URL      use a running gateway instead (its stock must suffice); the bench
                      then sees no database, metrics or processes: latencies only
  --cpu-prof DIR      write a CPU profile of the embedded system to DIR (node --cpu-prof);
                      summarize it with: npm run bench -- profile-summary FILE`;

const ADDRESS = {
  name: "Bench",
  phone: "+1-555-0100",
  postal_code: "94105",
  region: "CA",
  city: "San Francisco",
  line1: "1 Market St",
  country: "US",
};

/** The work a checkout sets off after its response (the order, through the outbox) is done within this. */
const SETTLE_MS = 1_500;

/** What the system has used so far, by every measure the bench reads. */
interface CostReading {
  at: number;
  commits: Commits;
  rpcs: RpcCounts;
  cpuMs: CpuMs;
  benchCpuMs: number;
}

export async function benchCheckout(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      clients: { type: "string", default: "16" },
      rate: { type: "string" },
      duration: { type: "string", default: "20" },
      sample: { type: "string", default: "5" },
      "floor-duration": { type: "string", default: "5" },
      stack: { type: "boolean", default: false },
      "base-url": { type: "string" },
      "cpu-prof": { type: "string" },
    },
  });
  const clients = Number(values.clients);
  const durationS = Number(values.duration);
  const sampleEvery = Number(values.sample);
  const floorDurationS = Number(values["floor-duration"]);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(Number.isFinite(rate) && rate > 0)) {
    throw new RangeError(`--rate must be a positive number of rounds a second\n\n${checkoutBenchUsage}`);
  }
  if (![clients, durationS, sampleEvery, floorDurationS].every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(
      `--clients, --duration, --sample and --floor-duration must be positive integers\n\n${checkoutBenchUsage}`,
    );
  }
  const cpuProfileDir = values["cpu-prof"] && path.resolve(values["cpu-prof"]);
  if ([values.stack, values["base-url"], cpuProfileDir].filter(Boolean).length > 1) {
    throw new RangeError(`--stack, --base-url and --cpu-prof go one at a time\n\n${checkoutBenchUsage}`);
  }
  if (cpuProfileDir) await mkdir(cpuProfileDir, { recursive: true });

  const target: CheckoutBenchTarget = values["base-url"]
    ? givenGateway(values["base-url"])
    : values.stack
      ? await startStackTarget()
      : await startEmbeddedTarget({ cpuProfileDir });
  const internals = target.internals;
  const admin = internals && postgres(internals.postgresUrl, { max: 1, onnotice: () => {} });
  const api = `${target.gatewayUrl.replace(/\/$/, "")}/api/v1`;

  try {
    const json = async (res: Response) => ({
      status: res.status,
      body: (await res.json().catch(() => undefined)) as Json,
    });
    const signIn = async (i: number) => {
      const r = await json(
        await fetch(`${api}/dev/token`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ user_id: `bench-${Date.now().toString(36)}-${i}` }),
        }),
      );
      if (r.status !== 200 && r.status !== 201)
        throw new Error(`dev token failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    };
    // Open loop: enough users that a round due finds one free while answers take up to 2 s.
    const users = rate === undefined ? clients : Math.max(clients, Math.ceil(rate * 2));
    const tokens: string[] = [];
    while (tokens.length < users) {
      const batch = Array.from({ length: Math.min(16, users - tokens.length) }, (_, i) => tokens.length + i);
      tokens.push(...(await Promise.all(batch.map(signIn))));
    }

    const checkoutMs: number[] = [];
    const roundTripMs: number[] = [];
    const orderVisibleMs: number[] = [];
    const outcomes = new Map<string, number>();
    const pendingPolls: Promise<void>[] = [];
    const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    let completed = 0;
    let orderPolls = 0;

    const pollOrder = async (token: string, checkoutId: string, respondedAt: number) => {
      for (;;) {
        orderPolls++;
        const r = await json(await fetch(`${api}/orders?limit=5`, { headers: { authorization: `Bearer ${token}` } }));
        if (r.status === 200 && r.body.items.some((o: Json) => o.checkout_id === checkoutId)) {
          orderVisibleMs.push(performance.now() - respondedAt);
          return;
        }
        if (performance.now() - respondedAt > 30_000) {
          count("order never visible");
          return;
        }
        await sleep(5);
      }
    };

    /** Checkouts answered 201 in the measured window: id, and when (epoch ms) the answer came. */
    const answered: { checkoutId: string; atEpochMs: number }[] = [];

    /** One round: add to cart, check out. `dueAt`: when an open-loop round was due (latency counts from it). */
    const round = async (token: string, measure: boolean, dueAt?: number) => {
      const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const t0 = dueAt ?? performance.now();
      const add = await fetch(`${api}/cart/items`, {
        method: "POST",
        headers: auth,
        // Spread over the catalog: one hot stock row would measure its lock, not the system.
        body: JSON.stringify({ product_id: String(1 + Math.floor(Math.random() * 5)), quantity: 1 }),
      });
      await add.arrayBuffer();
      const t1 = performance.now();
      const res = await json(
        await fetch(`${api}/checkout`, {
          method: "POST",
          headers: { ...auth, "idempotency-key": crypto.randomUUID() },
          body: JSON.stringify({ payment_method: { type: "card", token: "tok_visa" }, shipping_address: ADDRESS }),
        }),
      );
      const t2 = performance.now();
      if (!measure) return;
      count(String(res.status));
      if (res.status !== 201) return;
      completed++;
      checkoutMs.push(t2 - t1);
      roundTripMs.push(t2 - t0);
      answered.push({ checkoutId: res.body.checkout_id, atEpochMs: Date.now() });
      if (rate === undefined && completed % sampleEvery === 0) {
        pendingPolls.push(pollOrder(token, res.body.checkout_id, t2));
      }
    };

    const runClient = async (token: string, until: number, measure: boolean) => {
      while (performance.now() < until) await round(token, measure);
    };

    /** Open loop: a round every 1/rate s, by a free user; a round with none free is counted, not run. */
    const offerRounds = async (perSecond: number, from: number, until: number, measure: boolean) => {
      const free = tokens.slice();
      const running: Promise<void>[] = [];
      for (let i = 0; ; i++) {
        const dueAt = from + (i * 1000) / perSecond;
        if (dueAt >= until) break;
        const wait = dueAt - performance.now();
        if (wait > 0) await sleep(wait);
        const token = free.pop();
        if (!token) {
          if (measure) count("not offered (no free user)");
          continue;
        }
        running.push(round(token, measure, dueAt).finally(() => free.push(token)));
      }
      await Promise.all(running);
    };

    const load = (from: number, until: number, measure: boolean) =>
      rate === undefined
        ? Promise.all(tokens.map((t) => runClient(t, until, measure)))
        : offerRounds(rate, from, until, measure);

    // Warm-up: connections, JIT, caches; not measured.
    const warmFrom = performance.now();
    await load(warmFrom, warmFrom + 3_000, false);
    const readings = internals && admin && costReadings(internals, admin);
    const before = await readings?.beforeWindow();
    const start = performance.now();
    const until = start + durationS * 1000;
    await load(start, until, true);
    const elapsedS = (performance.now() - start) / 1000;
    await Promise.all(pendingPolls);
    const after = await readings?.afterWindow();

    console.log(
      `\ncheckout benchmark — ${rate === undefined ? `${clients} clients` : `open loop, ${rate} rounds/s offered by ${users} users`}, ${durationS} s, ${os.cpus().length} cores, node ${process.version}`,
    );
    console.log(`target: ${target.description}; PAYMENT_LATENCY_MS=${process.env.PAYMENT_LATENCY_MS ?? "0"}`);
    console.log(
      `completed checkouts: ${completed} in ${elapsedS.toFixed(1)} s → ${(completed / elapsedS).toFixed(1)} checkouts/s`,
    );
    console.log(`responses: ${[...outcomes].map(([k, v]) => `${k}×${v}`).join(", ")}`);
    console.log(summarize("POST /checkout latency", checkoutMs));
    console.log(summarize("add-to-cart + checkout latency", roundTripMs));
    if (rate === undefined) console.log(summarize("checkout response → order visible", orderVisibleMs));
    else if (admin && internals) await printOrderLag(internals.postgresUrl, answered);
    else console.log("checkout → order: not measured (--base-url: no database to look orders up in)");

    if (!internals || !admin || !before || !after) {
      console.log(
        "\nnot measured: commits, RPCs and CPU per checkout, and the plain-SQL floor — with --base-url the bench\n" +
          "sees only the gateway, not the system's database, metrics ports or processes",
      );
      return;
    }
    if (completed === 0) {
      console.log("\nno checkout completed: nothing to divide the cost by, and no floor to compare with");
      return;
    }
    console.log("");
    printCost(before, after, { completed, orderPolls, postgresVersion: await serverVersion(admin) });

    const postgresCpuMs = () => treeCpuMs(internals.processTree).get("postgres") ?? 0;
    const floor = await runPlainSqlFloor({
      admin,
      serverUrl: internals.postgresUrl,
      clients,
      durationS: floorDurationS,
      postgresCpuMs,
    });
    console.log("");
    printFloor(floor, {
      clients,
      openLoop: rate !== undefined,
      systemPerSecond: completed / elapsedS,
      systemCpuMs: sum(growth(before.cpuMs, after.cpuMs)) / completed,
    });
  } finally {
    await admin?.end();
    for (const line of await target.stop()) console.log(line);
  }
}

/**
 * Readings of what the system has used: one right before the window, once the warm-up's work
 * is done and counted; one once the work the window's checkouts set off after their response
 * (the order, the outbox) is done, its commits read when PostgreSQL has published them.
 */
function costReadings(internals: SystemInternals, admin: Sql) {
  const usage = async () => {
    // CPU first: the scrape that follows costs every service a little.
    const cpu = { at: performance.now(), cpuMs: treeCpuMs(internals.processTree), benchCpuMs: ownCpuMs() };
    return { ...cpu, rpcs: await rpcCounts(internals.metricsUrls) };
  };
  return {
    async beforeWindow(): Promise<CostReading> {
      await sleep(STATS_PUBLISHED_MS);
      const commits = await commitsByDatabase(admin);
      return { ...(await usage()), commits };
    },
    async afterWindow(): Promise<CostReading> {
      await sleep(SETTLE_MS);
      const used = await usage();
      await sleep(STATS_PUBLISHED_MS - SETTLE_MS);
      return { ...used, commits: await commitsByDatabase(admin) };
    },
  };
}

const sum = (values: Iterable<[unknown, number]>) => [...values].reduce((total, [, n]) => total + n, 0);

/** A breakdown's lines: biggest first, labels to one width, each figure formatted and maybe remarked on. */
function breakdown(
  entries: [string, number][],
  figure: (n: number) => string,
  remark: (label: string, n: number) => string = () => "",
): string[] {
  const width = Math.max(...entries.map(([label]) => label.length));
  return [...entries]
    .sort((x, y) => y[1] - x[1])
    .map(([label, n]) => `  ${label.padEnd(width)}  ${figure(n).padStart(7)}  ${remark(label, n)}`.trimEnd());
}

function printCost(
  before: CostReading,
  after: CostReading,
  run: { completed: number; orderPolls: number; postgresVersion: string },
) {
  const per = (n: number) => (n / run.completed).toFixed(2);
  const spanS = (after.at - before.at) / 1000;
  console.log(
    `per completed checkout, over the measured window and the ${SETTLE_MS / 1000} s after it (for the work it set off):`,
  );

  const commits = [...growth(before.commits, after.commits)].filter(([db, n]) => n > 0 && db !== STATISTICS_DATABASE);
  console.log(`PostgreSQL ${run.postgresVersion} commits: ${per(sum(commits))}, by database:`);
  const pollsRemark = (db: string) =>
    db === "orders" ? `including the bench's order polls (${per(run.orderPolls)} GET /orders per checkout)` : "";
  for (const line of breakdown(commits, per, pollsRemark)) console.log(line);
  console.log(
    `  (read ${STATS_PUBLISHED_MS / 1000} s after the window, once PostgreSQL has published its counts: the idle system's own\n` +
      `  commits over those seconds are in; the bench's statistics reads run in database ${STATISTICS_DATABASE}, not counted)`,
  );

  const rpcs = [...growth(before.rpcs, after.rpcs)].filter(([, n]) => n > 0);
  const listOrders = sum(rpcs.filter(([method]) => method.endsWith("/ListOrders")));
  console.log(
    `RPCs: ${per(sum(rpcs))}; ${per(sum(rpcs) - listOrders)} without ListOrders, which here only the bench's ${run.orderPolls} order polls call; by method:`,
  );
  for (const line of breakdown(rpcs, per)) console.log(line);

  const cpu = [...growth(before.cpuMs, after.cpuMs)].filter(([, ms]) => ms > 0);
  const share = (ms: number) => `${((ms / 1000 / spanS) * 100).toFixed(0)}% of a core`;
  console.log(
    `CPU ms: ${per(sum(cpu))} (${share(sum(cpu))} over ${spanS.toFixed(1)} s; /proc, ${clockTicksPerSecond()} ticks/s), by process:`,
  );
  for (const line of breakdown(cpu, per, (_, ms) => share(ms))) console.log(line);
  const benchMs = after.benchCpuMs - before.benchCpuMs;
  console.log(`load generator (this process; not counted above): ${per(benchMs)} CPU ms (${share(benchMs)})`);
}

function printFloor(
  floor: FloorResult,
  system: { clients: number; openLoop: boolean; systemPerSecond: number; systemCpuMs: number },
) {
  const perSecond = floor.checkouts / floor.seconds;
  const per = (n: number) => (n / floor.checkouts).toFixed(2);
  console.log(
    `plain-SQL floor: the same business work as 3 plain SQL transactions, ${system.clients} clients on a pool of as many\n` +
      `connections, same PostgreSQL server (database ${FLOOR_DATABASE}): tx1 checkout session + stock decrement + reservation;\n` +
      "tx2 payment; tx3 session COMPLETED + outbox row + order with its line",
  );
  console.log(
    `floor: ${floor.checkouts} checkouts in ${floor.seconds.toFixed(1)} s → ${perSecond.toFixed(1)} checkouts/s`,
  );
  console.log(`floor commits per checkout: ${per(floor.commits)}`);
  console.log(
    `floor CPU ms per checkout: ${per(floor.postgresCpuMs + floor.benchCpuMs)} (postgres ${per(floor.postgresCpuMs)}, load generator ${per(floor.benchCpuMs)})`,
  );
  console.log(
    `system throughput / floor throughput: ${((system.systemPerSecond / perSecond) * 100).toFixed(1)} %` +
      (system.openLoop ? " (open loop: the rate offered, not the system's most)" : ""),
  );
  // The floor's client is this process, so it counts there as the services do in the system.
  const floorCpuMs = (floor.postgresCpuMs + floor.benchCpuMs) / floor.checkouts;
  console.log(`system CPU ms per checkout / floor's: ${(system.systemCpuMs / floorCpuMs).toFixed(1)}×`);
}

/**
 * Every answered checkout's order, looked up in the orders database: the time from the 201 to
 * the order's creation (the orders consumer's transaction; same machine, same clock), and the
 * ones with no order yet or after more than a second.
 */
async function printOrderLag(serverUrl: string, answered: { checkoutId: string; atEpochMs: number }[]) {
  const url = new URL(serverUrl);
  url.pathname = "/orders";
  const orders = postgres(url.href, { max: 1, onnotice: () => {} });
  try {
    const rows = await orders<{ checkout_id: string; at: number }[]>`
      select checkout_id, (extract(epoch from created_at) * 1000)::float8 as at
      from orders where checkout_id = any(${answered.map((a) => a.checkoutId)}::text[])`;
    const createdAt = new Map(rows.map((r) => [r.checkout_id, r.at]));
    const lags = answered.flatMap((a) => {
      const at = createdAt.get(a.checkoutId);
      return at === undefined ? [] : [at - a.atEpochMs];
    });
    // Negative: the order was written before the client had read the checkout's answer.
    console.log(summarize("checkout answer → order created", lags));
    const late = lags.filter((ms) => ms > 1_000).length;
    console.log(
      `orders: ${lags.length} of ${answered.length} checkouts have one; ${answered.length - lags.length} missing; ` +
        `${late} created more than 1 s after the checkout's answer; latest ${Math.max(0, ...lags).toFixed(0)} ms after`,
    );
  } finally {
    await orders.end();
  }
}
