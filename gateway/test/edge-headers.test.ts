import type { Logger } from "@checkout-saga/shared";
import { testLogger } from "@checkout-saga/shared/testing";
import { describe, expect, it } from "vitest";
import { problemOf, startTestGateway } from "./fixture.js";

interface LogLine {
  level: string;
  bindings: Record<string, unknown>;
  args: unknown[];
}

/**
 * A silent logger that records each call with the bindings of the logger it was made on.
 * pino's children inherit the level methods from their parent, so wrapping the root's methods
 * (and reading `this`) sees the calls of every child with the child's bindings.
 */
function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = testLogger("gateway");
  for (const level of ["error", "warn", "info", "debug"] as const) {
    const original = logger[level];
    logger[level] = function (this: Logger, ...args: Parameters<Logger["info"]>) {
      lines.push({ level, bindings: this.bindings(), args });
      return original.apply(this, args);
    } as Logger["info"];
  }
  return { logger, lines };
}

describe("request id", () => {
  it("travels on every downstream call of a request", async () => {
    const seenIds: string[] = [];
    const gw = startTestGateway({
      services: (d) => ({
        product: {
          ...d.product,
          getProducts(req, ctx) {
            seenIds.push(ctx.requestHeader.get("x-request-id") ?? "");
            return d.product.getProducts!(req, ctx);
          },
        },
      }),
    });
    const res = await gw.call("POST", "/cart/items", {
      body: { product_id: "1", quantity: 1 },
      headers: { "X-Request-Id": "req-42" },
    });
    expect(res.status).toBe(201);
    expect(gw.seen.requestIds).toEqual(["req-42"]);
    expect(seenIds).toEqual(["req-42"]);
  });

  it("is on every log line of the request, and a 5xx is logged with it and its cause", async () => {
    const { logger, lines } = recordingLogger();
    const gw = startTestGateway({
      logger,
      services: (d) => ({
        cart: {
          ...d.cart,
          getCart() {
            throw new Error("relation carts does not exist");
          },
        },
      }),
    });
    const res = await gw.call("GET", "/cart", { headers: { "X-Request-Id": "req-500" } });
    expect(res.status).toBe(500);
    const p = await problemOf(res);
    expect(p.request_id).toBe("req-500");
    expect(JSON.stringify(p)).not.toContain("relation carts");
    const ofRequest = lines.filter((l) => l.bindings.request_id === "req-500");
    expect(ofRequest.map((l) => l.level)).toEqual(["error", "debug"]);
    expect(lines.filter((l) => l.bindings.request_id !== "req-500")).toEqual([]);
    expect(JSON.stringify(ofRequest[0]?.args)).toContain("status");
  });
});

describe("CORS", () => {
  const preflight = (gw: ReturnType<typeof startTestGateway>, origin: string) =>
    gw.app.request("/api/v1/cart/items", {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });

  it("is off by default: no Access-Control-* headers for any origin", async () => {
    const gw = startTestGateway();
    const res = await gw.call("GET", "/cart", { headers: { origin: "https://shop.example.com" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect((await preflight(gw, "https://shop.example.com")).headers.get("access-control-allow-origin")).toBeNull();
  });

  it("allows the configured origins only, exposing the headers clients need", async () => {
    const gw = startTestGateway({
      env: { CORS_ALLOWED_ORIGINS: "https://shop.example.com, https://admin.example.com" },
    });
    const ok = await preflight(gw, "https://shop.example.com");
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
    expect(ok.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("idempotency-key");
    const other = await preflight(gw, "https://evil.example.com");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const res = await gw.call("GET", "/cart", { headers: { origin: "https://admin.example.com" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://admin.example.com");
    expect(res.headers.get("access-control-expose-headers")).toMatch(/RateLimit/);
    // Problems too, so a browser can read why it was refused.
    const refused = await gw.call("GET", "/cart", { user: null, headers: { origin: "https://shop.example.com" } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe("https://shop.example.com");
  });
});

describe("security headers", () => {
  it("are on answers and problems alike", async () => {
    const gw = startTestGateway();
    for (const res of [await gw.call("GET", "/cart"), await gw.call("GET", "/cart", { user: null })]) {
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
      expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      expect(res.headers.get("strict-transport-security")).toMatch(/max-age=/);
    }
  });
});
