import type { ChildProcess } from "node:child_process";
import { rm } from "node:fs/promises";
import os from "node:os";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { interruptEmbeddedProcess, isolatedEmbeddedEnv, startEmbeddedProcess } from "../lib/embedded-process.js";
import { summarize } from "../lib/stats.js";

/** Replies are read field by field and checked; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

export const checkoutBenchUsage = `usage: npm run bench -- checkout [--clients N] [--duration SECONDS] [--base-url URL] [--sample N]

N concurrent clients, each its own user, loop add-to-cart + checkout through the gateway
for a fixed time. Prints checkouts/s, p50/p95/p99 latencies, and checkout-response →
order-visible latency (every Nth checkout is polled via GET /orders until its order appears).
Without --base-url it starts its own embedded system in a temp dir with ample stock.

  --clients N        concurrent clients (default 16)
  --duration S       seconds of load after warm-up (default 20)
  --sample N         poll every Nth checkout for its order (default 5)
  --base-url URL     use a running gateway instead (its stock must suffice)`;

const ADDRESS = {
  name: "Bench",
  phone: "+1-555-0100",
  postal_code: "94105",
  region: "CA",
  city: "San Francisco",
  line1: "1 Market St",
  country: "US",
};

export async function benchCheckout(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      clients: { type: "string", default: "16" },
      duration: { type: "string", default: "20" },
      sample: { type: "string", default: "5" },
      "base-url": { type: "string" },
    },
  });
  const clients = Number(values.clients);
  const durationS = Number(values.duration);
  const sampleEvery = Number(values.sample);
  if (![clients, durationS, sampleEvery].every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(`--clients, --duration and --sample must be positive integers\n\n${checkoutBenchUsage}`);
  }

  let system: ChildProcess | undefined;
  let dataDir: string | undefined;
  let baseUrl = values["base-url"];
  if (!baseUrl) {
    // The system runs in its own process, as npm start does, so the load generator does not
    // share its event loop.
    const isolated = await isolatedEmbeddedEnv("checkout-saga-bench-", { RATE_LIMIT_PER_MINUTE: "0" });
    dataDir = isolated.dataDir;
    system = await startEmbeddedProcess(isolated.env);
    baseUrl = isolated.gatewayUrl;
    const sql = postgres(isolated.databaseUrl("inventory"), { max: 1, onnotice: () => {} });
    await sql`update stock set available = 100000000`;
    await sql.end();
  }
  const api = `${baseUrl.replace(/\/$/, "")}/api/v1`;

  try {
    const json = async (res: Response) => ({
      status: res.status,
      body: (await res.json().catch(() => undefined)) as Json,
    });
    const tokens: string[] = [];
    for (let i = 0; i < clients; i++) {
      const r = await json(
        await fetch(`${api}/dev/token`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ user_id: `bench-${Date.now().toString(36)}-${i}` }),
        }),
      );
      if (r.status !== 200 && r.status !== 201)
        throw new Error(`dev token failed: ${r.status} ${JSON.stringify(r.body)}`);
      tokens.push(r.body.token);
    }

    const checkoutMs: number[] = [];
    const roundTripMs: number[] = [];
    const orderVisibleMs: number[] = [];
    const outcomes = new Map<string, number>();
    const pendingPolls: Promise<void>[] = [];
    const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
    let completed = 0;

    const pollOrder = async (token: string, checkoutId: string, respondedAt: number) => {
      for (;;) {
        const r = await json(await fetch(`${api}/orders?limit=5`, { headers: { authorization: `Bearer ${token}` } }));
        if (r.status === 200 && r.body.items.some((o: Json) => o.checkout_id === checkoutId)) {
          orderVisibleMs.push(performance.now() - respondedAt);
          return;
        }
        if (performance.now() - respondedAt > 30_000) {
          count("order never visible");
          return;
        }
        await new Promise((res) => setTimeout(res, 5));
      }
    };

    const runClient = async (token: string, until: number, measure: boolean) => {
      const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      let n = 0;
      while (performance.now() < until) {
        const t0 = performance.now();
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
        if (!measure) continue;
        count(String(res.status));
        if (res.status !== 201) continue;
        completed++;
        checkoutMs.push(t2 - t1);
        roundTripMs.push(t2 - t0);
        if (n++ % sampleEvery === 0) pendingPolls.push(pollOrder(token, res.body.checkout_id, t2));
      }
    };

    // Warm-up: connections, JIT, caches; not measured.
    const warmUntil = performance.now() + 3_000;
    await Promise.all(tokens.map((t) => runClient(t, warmUntil, false)));
    const start = performance.now();
    const until = start + durationS * 1000;
    await Promise.all(tokens.map((t) => runClient(t, until, true)));
    const elapsedS = (performance.now() - start) / 1000;
    await Promise.all(pendingPolls);

    console.log(
      `\ncheckout benchmark — ${clients} clients, ${durationS} s, ${os.cpus().length} cores, node ${process.version}`,
    );
    console.log(
      `target: ${system ? "embedded system started by the benchmark" : baseUrl}; PAYMENT_LATENCY_MS=${process.env.PAYMENT_LATENCY_MS ?? "0"}`,
    );
    console.log(
      `completed checkouts: ${completed} in ${elapsedS.toFixed(1)} s → ${(completed / elapsedS).toFixed(1)} checkouts/s`,
    );
    console.log(`responses: ${[...outcomes].map(([k, v]) => `${k}×${v}`).join(", ")}`);
    console.log(summarize("POST /checkout latency", checkoutMs));
    console.log(summarize("add-to-cart + checkout latency", roundTripMs));
    console.log(summarize("checkout response → order visible", orderVisibleMs));
  } finally {
    if (system) await interruptEmbeddedProcess(system);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}
