import { setTimeout as delay } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { PaymentSchema, PaymentService } from "../src/gen/checkoutsaga/payment/v1/payment_pb.js";
import {
  circuitBreakerInterceptor,
  createDownstreamBreaker,
  isCircuitOpen,
} from "../src/resilience/circuit-breaker.js";
import { withRetry } from "../src/resilience/retry.js";

const COOLDOWN_MS = 100;

/** A PaymentService whose GetPayment answers as `answer` says, behind a breaker (threshold 2). */
function paymentsBehindBreaker() {
  const breaker = createDownstreamBreaker({ failureThreshold: 2, cooldownMs: COOLDOWN_MS });
  const server = { calls: 0, answer: "ok" as "ok" | "unavailable" | "not-found" };
  const transport = createRouterTransport(
    (router) =>
      router.service(PaymentService, {
        async getPayment() {
          server.calls++;
          if (server.answer === "unavailable") throw new ConnectError("down", Code.Unavailable);
          if (server.answer === "not-found") throw new ConnectError("no payment", Code.NotFound);
          return { payment: create(PaymentSchema, { paymentId: "p-1" }) };
        },
      }),
    { transport: { interceptors: [circuitBreakerInterceptor("payment", breaker)] } },
  );
  const client = createClient(PaymentService, transport);
  const get = () => client.getPayment({ paymentId: "p-1" });
  return { breaker, server, get };
}

describe("circuit breaker interceptor (cockatiel)", () => {
  it("opens on unavailable answers and then refuses calls without sending them", async () => {
    const { breaker, server, get } = paymentsBehindBreaker();
    server.answer = "unavailable";
    for (let i = 0; i < 2; i++) {
      const failure = await get().catch((err: unknown) => err);
      expect([ConnectError.from(failure).message, isCircuitOpen(failure)]).toEqual(["[unavailable] down", false]);
    }
    expect(breaker.state).toBe("open");
    const refused = await get().catch((err: unknown) => err);
    expect(isCircuitOpen(refused)).toBe(true);
    expect(ConnectError.from(refused).code).toBe(Code.Unavailable);
    expect(server.calls).toBe(2);
  });

  it("treats an answer, even an error, as a sign the downstream is up", async () => {
    const { breaker, server, get } = paymentsBehindBreaker();
    server.answer = "unavailable";
    await get().catch(() => {});
    server.answer = "not-found";
    for (let i = 0; i < 5; i++) await expect(get()).rejects.toThrow(/no payment/);
    server.answer = "unavailable";
    await get().catch(() => {});
    // One failure, answers, one failure: never two in a row, so still closed.
    expect(breaker.state).toBe("closed");
  });

  it("closes again after a successful trial call", async () => {
    const { breaker, server, get } = paymentsBehindBreaker();
    server.answer = "unavailable";
    await get().catch(() => {});
    await get().catch(() => {});
    expect(breaker.state).toBe("open");
    await delay(COOLDOWN_MS + 20);
    server.answer = "ok";
    await expect(get()).resolves.toBeDefined();
    expect(breaker.state).toBe("closed");
  });

  it("is waited out by a caller with a deadline: its retries get through once the trial call succeeds", async () => {
    const { breaker, server, get } = paymentsBehindBreaker();
    server.answer = "unavailable";
    await get().catch(() => {});
    await get().catch(() => {});
    expect(breaker.state).toBe("open");
    // The service is back at once; the open circuit still keeps every call off it until the
    // cooldown's trial (a timer here would race that cooldown on a loaded machine).
    server.answer = "ok";
    const policy = { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 10, maxDelayMs: 20 };
    const answer = await withRetry(get, policy, { deadline: new Date(Date.now() + 5_000), waitOutOpenCircuit: true });
    expect(answer.payment?.paymentId).toBe("p-1");
    expect(breaker.state).toBe("closed");
    // Only the trial call reached the service after the circuit opened.
    expect(server.calls).toBe(3);
  });

  it("is not retried by withRetry while open", async () => {
    const { server, get } = paymentsBehindBreaker();
    server.answer = "unavailable";
    const policy = { attempts: 10, baseDelayMs: 1, maxDelayMs: 1 };
    const refused = await withRetry(get, policy).catch((err: unknown) => err);
    expect(isCircuitOpen(refused)).toBe(true);
    expect(server.calls).toBe(2);
  });
});

describe("withRetry", () => {
  const unavailable = () => new ConnectError("down", Code.Unavailable);
  const policy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

  it("retries retryable failures until one succeeds", async () => {
    let failures = 2;
    const calls: number[] = [];
    const result = await withRetry(async () => {
      calls.push(1);
      if (failures-- > 0) throw unavailable();
      return "ok";
    }, policy);
    expect([result, calls.length]).toEqual(["ok", 3]);
  });

  it("gives up after the last attempt", async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw unavailable();
      }, policy),
    ).rejects.toThrow(/down/);
    expect(calls).toBe(3);
  });

  it("does not retry a non-retryable failure", async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new ConnectError("bad", Code.InvalidArgument);
      }, policy),
    ).rejects.toThrow(/bad/);
    expect(calls).toBe(1);
  });

  it("starts no try after its deadline", async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw unavailable();
        },
        { attempts: 100, baseDelayMs: 5, maxDelayMs: 5 },
        { deadline: new Date(Date.now() + 30) },
      ),
    ).rejects.toThrow(/down/);
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThan(20);
  });
});
