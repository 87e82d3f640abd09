import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { backoffDelay, withRetry } from "./retry.js";

const policy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 4 };

describe("withRetry", () => {
  it("retries retryable failures until one succeeds", async () => {
    let calls = 0;
    const result = await withRetry(async () => {
      calls++;
      if (calls < 3) throw new ConnectError("busy", Code.Unavailable);
      return "ok";
    }, policy);
    expect([result, calls]).toEqual(["ok", 3]);
  });

  it("gives up after the last attempt", async () => {
    let calls = 0;
    const failing = withRetry(async () => {
      calls++;
      throw new ConnectError("slow", Code.DeadlineExceeded);
    }, policy);
    await expect(failing).rejects.toThrow(/slow/);
    expect(calls).toBe(4);
  });

  it("does not retry a non-retryable failure", async () => {
    let calls = 0;
    const failing = withRetry(async () => {
      calls++;
      throw new ConnectError("no", Code.FailedPrecondition);
    }, policy);
    await expect(failing).rejects.toThrow(/no/);
    expect(calls).toBe(1);
  });
});

describe("backoffDelay", () => {
  it("grows exponentially up to the cap, with jitter in the upper half", () => {
    const p = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, p, () => 0)).toBe(50);
    expect(backoffDelay(3, p, () => 1)).toBe(400);
    expect(backoffDelay(9, p, () => 1)).toBe(1000);
  });
});
