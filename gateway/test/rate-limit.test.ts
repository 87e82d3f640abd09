import { afterEach, describe, expect, it, vi } from "vitest";
import { issueToken } from "../src/auth/tokens.js";
import { problemOf, SECRET, startTestGateway } from "./fixture.js";

const fromAddress = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

describe("rate limiting", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("counts each request once per user and answers 429 with Retry-After when the allowance is spent", async () => {
    const gw = startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: "3" } });
    for (let i = 0; i < 3; i++) expect((await gw.call("GET", "/cart")).status).toBe(200);
    const refused = await gw.call("GET", "/cart");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect((await problemOf(refused)).type).toBe("https://checkout-saga.dev/problems/rate-limited");
    // Another user has an allowance of their own.
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
    expect(res.headers.get("ratelimit")).toBe('"ip";r=599;t=60, "user";r=599;t=60');
    const refused = await gw.app.request("/api/v1/cart", {}, fromAddress("192.0.2.10"));
    expect(refused.status).toBe(401);
    expect(refused.headers.get("ratelimit")).toBe('"ip";r=598;t=60');
  });

  it("is off at 0", async () => {
    const gw = startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: "0" } });
    for (let i = 0; i < 20; i++) {
      const res = await gw.call("GET", "/cart");
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit")).toBeNull();
    }
  });

  it("gives a new allowance once the minute window is over", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const gw = startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: "1" } });
    expect((await gw.call("GET", "/cart")).status).toBe(200);
    expect((await gw.call("GET", "/cart")).status).toBe(429);
    vi.setSystemTime(Date.now() + 60_000);
    expect((await gw.call("GET", "/cart")).status).toBe(200);
  });

  it("does not limit health probes", async () => {
    const gw = startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: "1" } });
    for (let i = 0; i < 3; i++) {
      expect((await gw.app.request("/api/v1/health/live", {}, fromAddress("192.0.2.9"))).status).toBe(200);
    }
  });
});
