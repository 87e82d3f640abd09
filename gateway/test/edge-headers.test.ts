import { Writable } from "node:stream";
import { createLogger, type Logger } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { problemOf, startTestGateway } from "./fixture.js";

/** A line as written: the request id arrives through the log context, not the call site. */
interface LogLine {
  level: number;
  request_id?: string;
  [field: string]: unknown;
}

/** A logger whose JSON output is parsed into `lines` (debug and up). */
function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger("gateway", { level: "debug", format: "json", destination }), lines };
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

  it("is on every log line of the request (with the user once known), and a 5xx is logged with it and its cause", async () => {
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
    const ofRequest = lines.filter((l) => l.request_id === "req-500");
    expect(ofRequest.map((l) => l.level)).toEqual([50, 20]); // error, then the debug access line
    expect(lines.filter((l) => l.request_id !== "req-500")).toEqual([]);
    expect(ofRequest[0]).toMatchObject({ status: 500, user_id: "alice" });
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
