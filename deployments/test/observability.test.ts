/**
 * Keeps the Grafana dashboard and the Prometheus alert rules true to the code: every
 * checkout_saga_* metric they query must be one the running system exports. The system is the
 * real one (embedded mode, in this process, on free ports), after one checkout through the
 * gateway, so the test also shows that /metrics carries live values and every service reports
 * itself ready.
 */
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedSystem, startEmbeddedSystem } from "../../scripts/embedded.js";
import { isolatedEmbeddedEnv } from "../../scripts/lib/embedded-process.js";

const deploymentsDir = path.resolve(import.meta.dirname, "..");
const METRIC_NAME = /\bcheckout_saga_[a-z0-9_]+\b/g;
const HISTOGRAM_SUFFIXES = ["_bucket", "_sum", "_count"];

/** The checkout_saga_* names an expression or rule file mentions. */
const referencedNames = (text: string) => new Set(text.match(METRIC_NAME) ?? []);

function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(path.join(deploymentsDir, "grafana/checkout-saga-dashboard.json"), "utf8"));
  const panels = (dashboard.panels as { targets?: { expr: string }[] }[]).flatMap((p) => p.targets ?? []);
  return panels.map((t) => t.expr);
}

/** The `expr:` of each rule (one line, or a folded block below it). */
function alertExpressions(): string[] {
  const lines = readFileSync(path.join(deploymentsDir, "prometheus/alerts.yml"), "utf8").split("\n");
  const exprs: string[] = [];
  for (const [i, line] of lines.entries()) {
    const m = /^(\s*)expr: (.*)$/.exec(line);
    if (!m) continue;
    if (m[2] !== ">-" && m[2] !== "|") {
      exprs.push(m[2]!);
      continue;
    }
    const indent = m[1]!.length;
    const block: string[] = [];
    for (const next of lines.slice(i + 1)) {
      if (next.trim() !== "" && next.length - next.trimStart().length <= indent) break;
      block.push(next.trim());
    }
    exprs.push(block.join(" "));
  }
  return exprs;
}

/** Metric names an exposition declares (`# TYPE`), with the sample names a histogram adds. */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(m[1]!);
    if (m[2] === "histogram") for (const suffix of HISTOGRAM_SUFFIXES) names.add(`${m[1]}${suffix}`);
  }
  return names;
}

/** The sum of a metric's samples whose labels include all of `labels`. */
function sampleSum(exposition: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const m of exposition.matchAll(/^([a-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/gm)) {
    if (m[1] !== name) continue;
    const present = m[2] ?? "";
    if (Object.entries(labels).every(([k, v]) => present.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

describe("dashboards and alerts against the running system", () => {
  let system: EmbeddedSystem | undefined;
  let dataDir = "";
  const expositions = new Map<string, string>();

  beforeAll(async () => {
    const isolated = await isolatedEmbeddedEnv("checkout-saga-observability-", { LOG_LEVEL: "warn" });
    dataDir = isolated.dataDir;
    system = await startEmbeddedSystem({ dataDir, env: isolated.env });
    const api = `${system.gatewayUrl}/api/v1`;
    const json = { "content-type": "application/json" };
    const tokenRes = await fetch(`${api}/dev/token`, { method: "POST", headers: json, body: '{"user_id":"obs"}' });
    const { token } = (await tokenRes.json()) as { token: string };
    const auth = { ...json, authorization: `Bearer ${token}` };
    const added = await fetch(`${api}/cart/items`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ product_id: "1", quantity: 1 }),
    });
    expect(added.status).toBe(201);
    const checkout = await fetch(`${api}/checkout`, {
      method: "POST",
      headers: { ...auth, "idempotency-key": "observability-1" },
      body: JSON.stringify({
        payment_method: { type: "card", token: "tok_visa" },
        shipping_address: {
          name: "Obs",
          phone: "+81-3-0000-0000",
          postal_code: "100-0001",
          region: "Tokyo",
          city: "Chiyoda",
          line1: "1-1 Chiyoda",
          country: "JP",
        },
      }),
    });
    expect(checkout.status).toBe(201);
    // The order appears once the event went through the outbox and the orders consumer.
    for (let i = 0; i < 100; i++) {
      const orders = (await (await fetch(`${api}/orders`, { headers: auth })).json()) as { items: unknown[] };
      if (orders.items.length > 0) break;
      await sleep(100);
    }
    for (const [name, url] of Object.entries(system.adminUrls)) {
      const res = await fetch(`${url}/metrics`);
      expect(res.status, name).toBe(200);
      expositions.set(name, await res.text());
    }
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("serves /metrics, /health/live and /health/ready for every service and the gateway", async () => {
    expect([...expositions.keys()].sort()).toEqual(
      [
        "cart-service",
        "checkout-service",
        "gateway",
        "inventory-service",
        "orders-service",
        "payment-service",
        "product-service",
      ].sort(),
    );
    for (const [name, url] of Object.entries(system!.adminUrls)) {
      expect((await fetch(`${url}/health/live`)).status, name).toBe(200);
      const ready = await fetch(`${url}/health/ready`);
      const body = (await ready.json()) as { status: string; checks?: Record<string, { ok: boolean }> };
      expect(ready.status, `${name}: ${JSON.stringify(body)}`).toBe(200);
      if (name !== "gateway") {
        expect(body.status, name).toBe("ready");
        expect(
          Object.values(body.checks ?? {}).every((c) => c.ok),
          name,
        ).toBe(true);
      }
    }
  });

  it("exports every metric the dashboard and the alert rules query", () => {
    const exported = new Set([...expositions.values()].flatMap((text) => [...exportedNames(text)]));
    const referenced = new Set(
      [...dashboardExpressions(), ...alertExpressions()].flatMap((e) => [...referencedNames(e)]),
    );
    expect(referenced.size).toBeGreaterThanOrEqual(15);
    expect([...referenced].filter((n) => !exported.has(n)).sort(), "queried but not exported").toEqual([]);
  });

  it("shows the checkout in live values: gateway, RPCs, saga, outbox, consumers, cache", () => {
    const gateway = expositions.get("gateway")!;
    const checkout = expositions.get("checkout-service")!;
    const orders = expositions.get("orders-service")!;
    const cart = expositions.get("cart-service")!;
    expect(
      sampleSum(gateway, "checkout_saga_http_request_duration_seconds_count", {
        route: "/api/v1/checkout",
        status: "201",
      }),
    ).toBe(1);
    expect(
      sampleSum(checkout, "checkout_saga_rpc_server_duration_seconds_count", {
        rpc_method: "InitiateCheckout",
        code: "ok",
      }),
    ).toBe(1);
    expect(sampleSum(checkout, "checkout_saga_checkouts_total", { outcome: "completed" })).toBe(1);
    expect(sampleSum(checkout, "checkout_saga_transitions_total", { from: "PAYMENT_COMPLETED", to: "COMPLETED" })).toBe(
      1,
    );
    expect(sampleSum(checkout, "checkout_saga_state_duration_seconds_count", { state: "INITIATED" })).toBe(1);
    expect(sampleSum(checkout, "checkout_saga_outbox_published_total")).toBeGreaterThanOrEqual(1);
    expect(sampleSum(checkout, "checkout_saga_circuit_breaker_state", { downstream: "payment" })).toBe(0);
    expect(sampleSum(orders, "checkout_saga_events_consumed_total", { group: "orders-service", outcome: "ok" })).toBe(
      1,
    );
    expect(sampleSum(cart, "checkout_saga_cart_cache_lookups_total")).toBeGreaterThanOrEqual(1);
    // Each service has its own registry: no service's RPCs show up in another's.
    expect(
      sampleSum(orders, "checkout_saga_rpc_server_duration_seconds_count", { rpc_method: "InitiateCheckout" }),
    ).toBe(0);
  });
});
