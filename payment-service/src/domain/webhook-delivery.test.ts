import { describe, expect, it } from "vitest";
import { afterFailedAttempt, type WebhookRetryPolicy, webhookRetryDelayMs } from "./webhook-delivery.js";

const policy: WebhookRetryPolicy = {
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
  maxAttempts: 1_000,
  maxAgeMs: 3 * 24 * 3600 * 1_000,
};
const highest = () => 0.999_999_999;
const lowest = () => 0;

describe("webhookRetryDelayMs", () => {
  it("doubles from 1 s and stops growing at 5 min", () => {
    const ceilings = Array.from({ length: 12 }, (_, i) => Math.round(webhookRetryDelayMs(i + 1, policy, highest)));
    expect(ceilings).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000,
    ]);
  });

  it("jitters each delay to between half of it and all of it", () => {
    expect(webhookRetryDelayMs(3, policy, lowest)).toBe(2_000);
    expect(webhookRetryDelayMs(3, policy, () => 0.5)).toBe(3_000);
    expect(webhookRetryDelayMs(20, policy, lowest)).toBe(150_000);
  });
});

describe("afterFailedAttempt", () => {
  const createdAt = new Date("2026-03-01T00:00:00Z");
  const later = (ms: number) => new Date(createdAt.getTime() + ms);

  it("schedules the next attempt after the backoff", () => {
    expect(afterFailedAttempt({ attempts: 1, createdAt }, later(10), policy, highest)).toEqual({
      retryAt: later(10 + 1_000),
    });
    expect(afterFailedAttempt({ attempts: 4, createdAt }, later(20_000), policy, highest)).toEqual({
      retryAt: later(20_000 + 8_000),
    });
  });

  it("gives up after the last allowed attempt", () => {
    const next = afterFailedAttempt({ attempts: 3, createdAt }, later(1), { ...policy, maxAttempts: 3 }, highest);
    expect(next).toEqual({ deadBecause: "gave up after 3 attempts" });
  });

  it("gives up rather than try after the maximum age", () => {
    const old = { attempts: 900, createdAt };
    const nearTheEnd = later(policy.maxAgeMs - 60_000);
    expect(afterFailedAttempt(old, nearTheEnd, policy, highest)).toEqual({
      deadBecause: "gave up 259200 s after the change it announces",
    });
    // With the earliest jitter the retry still falls inside the window.
    expect(afterFailedAttempt(old, later(policy.maxAgeMs - 200_000), policy, lowest)).toEqual({
      retryAt: later(policy.maxAgeMs - 200_000 + 150_000),
    });
  });
});
