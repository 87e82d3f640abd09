import { rm } from "node:fs/promises";
import { SpanKind, startTracing, type Tracing } from "@checkout-saga/shared";
import { InMemorySpanExporter, type ReadableSpan } from "@checkout-saga/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedSystem, startEmbeddedSystem } from "../embedded.js";
import { isolatedEmbeddedEnv } from "../lib/embedded-process.js";
import { TEST_ADDRESS as ADDRESS } from "../lib/test-address.js";

/**
 * One checkout through the whole embedded system (every service in this process, so one
 * provider sees every span) is one trace: the gateway's request, the Connect calls, the saga's
 * steps, the outbox relay's publish and the orders consumer that placed the order.
 */

/** Replies are read field by field; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

const exporter = new InMemorySpanExporter();
let tracing: Tracing | undefined;
let system: EmbeddedSystem | undefined;
let dataDir = "";

beforeAll(async () => {
  tracing = startTracing({ serviceName: "tracing-test", exporter });
  // The system must not register a provider of its own: this test's sees every span.
  const isolated = await isolatedEmbeddedEnv("checkout-saga-tracing-", { OTEL_TRACES_EXPORTER: "none" });
  dataDir = isolated.dataDir;
  system = await startEmbeddedSystem({ dataDir, env: isolated.env });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await tracing?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, init: { token?: string; body?: unknown; key?: string } = {}) {
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.key) headers["idempotency-key"] = init.key;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${system?.gatewayUrl}/api/v1${path}`, {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text === "" ? undefined : JSON.parse(text)) as Json };
}

async function poll<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const traceOf = (span: ReadableSpan) => span.spanContext().traceId;

describe("tracing", () => {
  it("follows one checkout from the gateway through the saga and the outbox to the orders consumer", async () => {
    const token: string = (await call("POST", "/dev/token", { body: { user_id: `tracing-${Date.now()}` } })).body.token;
    expect((await call("POST", "/cart/items", { token, body: { product_id: "2", quantity: 1 } })).status).toBe(201);
    const checkout = await call("POST", "/checkout", {
      token,
      key: `tracing-${Date.now()}`,
      body: { payment_method: { type: "card", token: "tok_visa" }, shipping_address: ADDRESS },
    });
    expect(checkout.status).toBe(201);
    expect(checkout.body.status).toBe("COMPLETED");
    const checkoutId: string = checkout.body.checkout_id;
    await poll("the order", async () => {
      const orders = await call("GET", "/orders", { token });
      return orders.body.items.find((o: Json) => o.checkout_id === checkoutId);
    });

    const gateway = await poll("the gateway's POST /checkout span", () =>
      exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && /^POST \S*\/checkout$/.test(s.name)),
    );
    const traceId = traceOf(gateway);
    const inTrace = () => exporter.getFinishedSpans().filter((s) => traceOf(s) === traceId);
    // The consumer span ends just after the order is committed: wait for it too.
    const consumer = await poll("the orders consumer's span", () =>
      inTrace().find(
        (s) => s.kind === SpanKind.CONSUMER && s.attributes["messaging.consumer.group.name"] === "orders-service",
      ),
    );
    const spans = inTrace();

    expect(spans.some((s) => s.kind === SpanKind.SERVER && s.name.endsWith("/InitiateCheckout"))).toBe(true);
    expect(spans.some((s) => s.kind === SpanKind.CLIENT && s.name.endsWith("/InitiateCheckout"))).toBe(true);
    expect(spans.some((s) => s.name === "saga reserve stock")).toBe(true);
    // The checkout's event: the orders service's own events (the order placed) are published in this trace too.
    const publish = spans.find(
      (s) => s.kind === SpanKind.PRODUCER && s.attributes["messaging.destination.name"] === "checkout-events",
    );
    expect(publish).toBeDefined();
    // The consumer handled the very event the relay published.
    expect(consumer.attributes["messaging.message.id"]).toBe(publish?.attributes["messaging.message.id"]);
    // And the gateway span is the root: the trace started with the HTTP request.
    expect(gateway.parentSpanContext).toBeUndefined();
  });
});
