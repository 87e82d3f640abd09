import { describe, expect, it } from "vitest";
import { issueToken } from "../src/auth/tokens.js";
import { createMemoryRateLimitStore } from "../src/rate-limit/memory-store.js";
import { problemOf, SECRET, startTestGateway } from "./fixture.js";

const fromAddress = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

describe("rate limiting", () => {
  it("counts each request once per user and answers 429 with Retry-After when the bucket is empty", async () => {
    const gw = startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: "3" } });
    for (let i = 0; i < 3; i++) expect((await gw.call("GET", "/cart")).status).toBe(200);
    const refused = await gw.call("GET", "/cart");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await problemOf(refused)).type).toBe("https://checkout-saga.dev/problems/rate-limited");
    // Another user has a bucket of their own.
    expect((await gw.call("GET", "/cart", { user: "bob" })).status).toBe(200);
  });

  it("limits per client address before authentication", async () => {
    const gw = startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: "2" } });
    const anonymous = () => gw.app.request("/api/v1/cart", {}, fromAddress("192.0.2.7"));
    expect((await anonymous()).status).toBe(401);
    expect((await anonymous()).status).toBe(401);
    expect((await anonymous()).status).toBe(429);
    expect((await gw.app.request("/api/v1/cart", {}, fromAddress("192.0.2.8"))).status).toBe(401);
  });

  it("announces both policies in RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers-10)", async () => {
    const gw = startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: "600" } });
    const res = await gw.app.request(
      "/api/v1/cart",
      { headers: { authorization: `Bearer ${await issueToken(SECRET, "alice")}` } },
      fromAddress("192.0.2.10"),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit-policy")).toBe('"ip";q=600;w=60, "user";q=600;w=60');
    expect(res.headers.get("ratelimit")).toBe('"ip";r=599;t=1, "user";r=599;t=1');
    const refused = await gw.app.request("/api/v1/cart", {}, fromAddress("192.0.2.10"));
    expect(refused.status).toBe(401);
    expect(refused.headers.get("ratelimit")).toBe('"ip";r=598;t=1');
  });

  it("is off at 0", async () => {
    const gw = startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: "0" } });
    for (let i = 0; i < 20; i++) {
      const res = await gw.call("GET", "/cart");
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit")).toBeNull();
    }
  });

  it("does not limit health probes", async () => {
    const gw = startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: "1" } });
    for (let i = 0; i < 3; i++) {
      expect((await gw.app.request("/api/v1/health/live", {}, fromAddress("192.0.2.9"))).status).toBe(200);
    }
  });
});

describe("memory rate-limit store", () => {
  it("refills one token per 60/limit seconds, up to the limit", async () => {
    let t = 0;
    const store = createMemoryRateLimitStore({ now: () => t });
    expect((await store.take("k", 60)).remaining).toBe(59);
    for (let i = 0; i < 59; i++) await store.take("k", 60);
    const empty = await store.take("k", 60);
    expect(empty).toEqual({ allowed: false, remaining: 0, resetSeconds: 60, retryAfterSeconds: 1 });
    t += 1_000;
    expect((await store.take("k", 60)).allowed).toBe(true);
    expect((await store.take("k", 60)).allowed).toBe(false);
    t += 10 * 60_000;
    expect((await store.take("k", 60)).remaining).toBe(59);
  });

  it("forgets the least recently used keys beyond maxKeys", async () => {
    const store = createMemoryRateLimitStore({ now: () => 0, maxKeys: 2 });
    await store.take("a", 1);
    await store.take("b", 1);
    await store.take("c", 1);
    // "a" was evicted, so it starts with a full bucket again; "c" is still empty.
    expect((await store.take("a", 1)).allowed).toBe(true);
    expect((await store.take("c", 1)).allowed).toBe(false);
  });
});
