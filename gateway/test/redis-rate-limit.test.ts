import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@checkout-saga/shared/dev";
import { testLogger } from "@checkout-saga/shared/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningRedis, startRedis } from "../../scripts/provision/servers.js";
import { createRateLimitRedis, redisReady } from "../src/rate-limit/redis-client.js";
import { createRedisRateLimitStore } from "../src/rate-limit/redis-store.js";
import { startTestGateway } from "./fixture.js";

const fromAddress = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

describe("Redis rate-limit store (real redis-server)", () => {
  let server: RunningRedis;
  let dataDir: string;
  const clients: Redis[] = [];
  const client = async () => {
    const c = createRateLimitRedis(server.url, testLogger("rate-limit"));
    clients.push(c);
    expect(await redisReady(c, 5_000)).toBe(true);
    return c;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "gateway-redis-"));
    server = await startRedis({ dataDir, port: await freePort() });
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("is a token bucket: a minute's allowance, then refusals with Retry-After, the key expiring", async () => {
    const redis = await client();
    const store = createRedisRateLimitStore({ redis, logger: testLogger("rate-limit") });
    const first = await store.take("user:alice", 3);
    expect(first).toEqual({ allowed: true, remaining: 2, resetSeconds: 20, retryAfterSeconds: 0 });
    expect((await store.take("user:alice", 3)).remaining).toBe(1);
    expect((await store.take("user:alice", 3)).remaining).toBe(0);
    const refused = await store.take("user:alice", 3);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(20);
    // Another key has a bucket of its own; buckets expire instead of piling up.
    expect((await store.take("user:bob", 3)).allowed).toBe(true);
    const ttl = await redis.pttl("gateway:ratelimit:user:alice");
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(61_000 + 1_000);
  });

  it("is atomic and shared: two gateway instances hammering one bucket let exactly the limit through", async () => {
    const a = createRedisRateLimitStore({ redis: await client(), logger: testLogger("a") });
    const b = createRedisRateLimitStore({ redis: await client(), logger: testLogger("b") });
    const decisions = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? a : b).take("ip:192.0.2.1", 25)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
    expect(decisions.some((d) => d.failedOpen)).toBe(false);
  });

  it("limits a gateway's users across instances, with RateLimit headers", async () => {
    const env = { RATE_LIMIT_PER_MINUTE: "2" };
    const one = startTestGateway({
      env,
      deps: { rateLimitStore: createRedisRateLimitStore({ redis: await client(), logger: testLogger("one") }) },
    });
    const two = startTestGateway({
      env,
      deps: { rateLimitStore: createRedisRateLimitStore({ redis: await client(), logger: testLogger("two") }) },
    });
    const user = `carol-${Date.now()}`;
    const ok = await one.call("GET", "/cart", { user });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("ratelimit-policy")).toBe('"user";q=2;w=60');
    expect(ok.headers.get("ratelimit")).toBe('"user";r=1;t=30');
    expect((await two.call("GET", "/cart", { user })).status).toBe(200);
    const refused = await one.call("GET", "/cart", { user });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("fails open, with a warning, when Redis does not answer", async () => {
    const lines: string[] = [];
    const logger = testLogger("rate-limit");
    const warn = logger.warn.bind(logger);
    logger.warn = ((...args: Parameters<typeof warn>) => {
      lines.push(JSON.stringify(args));
      return warn(...args);
    }) as typeof logger.warn;
    // A port nothing listens on: the client cannot connect, and must not queue or hang.
    const down = createRateLimitRedis(`redis://127.0.0.1:${await freePort()}`, testLogger("down"));
    clients.push(down);
    const store = createRedisRateLimitStore({ redis: down, logger });
    for (let i = 0; i < 5; i++) {
      const d = await store.take("user:alice", 1);
      expect(d.allowed).toBe(true);
      expect(d.failedOpen).toBe(true);
    }
    expect(lines.filter((l) => l.includes("failing open"))).toHaveLength(1);

    const gw = startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: "1" }, deps: { rateLimitStore: store } });
    for (let i = 0; i < 3; i++) {
      const res = await gw.app.request("/api/v1/health/live", {}, fromAddress("192.0.2.3"));
      expect(res.status).toBe(200);
      const cart = await gw.call("GET", "/cart");
      expect(cart.status).toBe(200);
      expect(cart.headers.get("ratelimit")).toBeNull();
    }
  });
});
