import { afterEach, describe, expect, it } from "vitest";
import {
  type AdminServer,
  Counter,
  createMetricsRegistry,
  type ReadinessCheck,
  type ReadinessReport,
  startAdminServer,
} from "../src/index.js";
import { testLogger } from "../src/testing/index.js";

const ok: ReadinessCheck = { critical: true, check: async () => {} };
const failing = (critical: boolean): ReadinessCheck => ({
  critical,
  check: async () => {
    throw new Error("connection refused");
  },
});
const hanging: ReadinessCheck = { critical: true, timeoutMs: 50, check: () => new Promise(() => {}) };

describe("admin server", () => {
  let server: AdminServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(checks: Record<string, ReadinessCheck>) {
    const registry = createMetricsRegistry("test-service");
    new Counter({ name: "checkout_saga_test_things_total", help: "things", registers: [registry] }).inc(3);
    server = await startAdminServer({ port: 0, host: "127.0.0.1", logger: testLogger("admin"), checks, registry });
    return `http://127.0.0.1:${server.port}`;
  }

  it("is live, and ready when every check passes, with each check's latency", async () => {
    const url = await start({ database: ok });
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    const res = await fetch(`${url}/health/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ReadinessReport;
    expect(body).toMatchObject({ status: "ready", checks: { database: { ok: true, critical: true } } });
    expect(typeof body.checks.database?.latency_ms).toBe("number");
  });

  it("stays ready but degraded when only a non-critical dependency fails", async () => {
    const url = await start({ database: ok, redis: failing(false) });
    const res = await fetch(`${url}/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "degraded",
      checks: { redis: { ok: false, critical: false, error: "connection refused" } },
    });
  });

  it("answers 503 naming the failed critical dependency, and a hung one times out", async () => {
    const url = await start({ database: failing(true), "payment-service": hanging, redis: ok });
    const res = await fetch(`${url}/health/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as ReadinessReport;
    expect(body.status).toBe("not_ready");
    expect(body.checks.database).toMatchObject({ ok: false, error: "connection refused" });
    expect(body.checks["payment-service"]).toMatchObject({ ok: false, error: "no answer within 50 ms" });
    expect(body.checks.redis?.ok).toBe(true);
  });

  it("serves the registry as Prometheus text, with the service label and default metrics", async () => {
    const url = await start({});
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain('checkout_saga_test_things_total{service="test-service"} 3');
    expect(text).toMatch(/^# TYPE checkout_saga_process_resident_memory_bytes gauge$/m);
    expect((await fetch(`${url}/nothing`)).status).toBe(404);
  });
});
