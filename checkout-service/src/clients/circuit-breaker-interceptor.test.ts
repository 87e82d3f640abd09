import { create } from "@bufbuild/protobuf";
import { PaymentSchema, PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createCircuitBreaker } from "../domain/circuit-breaker.js";
import { withRetry } from "../saga/retry.js";
import { circuitBreakerInterceptor, isCircuitOpen } from "./circuit-breaker-interceptor.js";

/** A PaymentService whose GetPayment answers as `answer` says, behind a breaker (threshold 2). */
function paymentsBehindBreaker() {
  const clock = { ms: 0 };
  const breaker = createCircuitBreaker({ failureThreshold: 2, cooldownMs: 1_000 }, () => clock.ms);
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
  return { breaker, clock, server, get };
}

describe("circuit breaker interceptor", () => {
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
    server.answer = "not-found";
    for (let i = 0; i < 5; i++) await expect(get()).rejects.toThrow(/no payment/);
    expect(breaker.state).toBe("closed");
  });

  it("closes again after a successful trial call", async () => {
    const { breaker, server, clock, get } = paymentsBehindBreaker();
    server.answer = "unavailable";
    await get().catch(() => {});
    await get().catch(() => {});
    clock.ms = 1_000;
    server.answer = "ok";
    await expect(get()).resolves.toBeDefined();
    expect(breaker.state).toBe("closed");
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
