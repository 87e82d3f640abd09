import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@checkout-saga/shared/dev";
import { testLogger } from "@checkout-saga/shared/testing";
import type { Redis } from "ioredis";
import { RateLimiterRes } from "rate-limiter-flexible";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningRedis, startRedis } from "../../scripts/provision/servers.js";
import { createRateLimiter } from "../src/rate-limit/limiter.js";
import { createRateLimitRedis, redisReady } from "../src/rate-limit/redis-client.js";
import { startTestGateway } from "./fixture.js";

const fromAddress = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

describe("Redis rate limiter (real redis-server)", () => {
  let server: RunningRedis;
  let dataDir: string;
  const clients: Redis[] = [];
  const client = async () => {
    const c = createRateLimitRedis(server.url, testLogger("rate-limit"));
    clients.push(c);
    expect(await redisReady(c, 5_000)).toBe(true);
    return c;
  };
  /** The limiter's answer, allowed or refused (a refusal rejects with it). */
  const consume = (limiter: ReturnType<typeof createRateLimiter>, key: string) =>
    limiter.consume(key).then(
      (res) => ({ allowed: true, res }),
      (res: unknown) => {
        if (!(res instanceof RateLimiterRes)) throw res;
        return { allowed: false, res };
      },
    );

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "gateway-redis-"));
    server = await startRedis({ dataDir, port: await freePort() });
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("counts a one-minute window per key in Redis, then refuses until it resets, the key expiring", async () => {
    const redis = await client();
    const limiter = createRateLimiter({ policy: "user", pointsPerMinute: 3, redis, logger: testLogger("rate-limit") });
    const first = await consume(limiter, "alice");
    expect(first.allowed).toBe(true);
    expect(first.res.remainingPoints).toBe(2);
    expect(first.res.msBeforeNext).toBeLessThanOrEqual(60_000);
    expect((await consume(limiter, "alice")).res.remainingPoints).toBe(1);
    expect((await consume(limiter, "alice")).res.remainingPoints).toBe(0);
    const refused = await consume(limiter, "alice");
    expect(refused.allowed).toBe(false);
    expect(refused.res.msBeforeNext).toBeGreaterThan(0);
    // Another key counts on its own; counters expire instead of piling up.
    expect((await consume(limiter, "bob")).allowed).toBe(true);
    const ttl = await redis.pttl("gateway:ratelimit:user:alice");
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("is atomic and shared: two gateway instances hammering one key let exactly the limit through", async () => {
    const logger = testLogger("rate-limit");
    const a = createRateLimiter({ policy: "ip", pointsPerMinute: 25, redis: await client(), logger });
    const b = createRateLimiter({ policy: "ip", pointsPerMinute: 25, redis: await client(), logger });
    const decisions = await Promise.all(
      Array.from({ length: 60 }, (_, i) => consume(i % 2 === 0 ? a : b, "192.0.2.1")),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(25);
  });

  it("limits a gateway's users across instances, with RateLimit headers", async () => {
    const env = { RATE_LIMIT_PER_MINUTE: "2" };
    const one = startTestGateway({ env, deps: { rateLimitRedis: await client() } });
    const two = startTestGateway({ env, deps: { rateLimitRedis: await client() } });
    const user = `carol-${Date.now()}`;
    const ok = await one.call("GET", "/cart", { user });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("ratelimit-policy")).toBe('"user";q=2;w=60');
    expect(ok.headers.get("ratelimit")).toBe('"user";r=1;t=60');
    expect((await two.call("GET", "/cart", { user })).status).toBe(200);
    const refused = await one.call("GET", "/cart", { user });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("limits per instance in memory, with one warning, when Redis does not answer", async () => {
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
    const limiter = createRateLimiter({ policy: "user", pointsPerMinute: 2, redis: down, logger });
    const started = Date.now();
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push((await consume(limiter, "alice")).allowed);
    expect(decisions).toEqual([true, true, false, false, false]);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(lines.filter((l) => l.includes("limiting per gateway instance"))).toHaveLength(1);

    const gw = startTestGateway({ env: { RATE_LIMIT_PER_MINUTE: "1" }, deps: { rateLimitRedis: down } });
    expect((await gw.app.request("/api/v1/health/live", {}, fromAddress("192.0.2.3"))).status).toBe(200);
    const cart = await gw.call("GET", "/cart");
    expect(cart.status).toBe(200);
    expect(cart.headers.get("ratelimit")).toBe('"user";r=0;t=60');
    expect((await gw.call("GET", "/cart")).status).toBe(429);
  });
});
