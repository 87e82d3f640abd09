import { setTimeout as sleep } from "node:timers/promises";
import { createPostgres, type Sql } from "@checkout-saga/shared";
import { PaymentStatus } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentService } from "../src/index.js";
import { chargeRequest, failureOf, type PaymentClient, startTestPaymentService } from "./support.js";

let databaseUrl: string;
let sql: Sql;
const started: PaymentService[] = [];
let client: PaymentClient;

beforeAll(async () => {
  databaseUrl = await createTestDatabase("payment_void");
  const fast = await startTestPaymentService(databaseUrl);
  started.push(fast.service);
  client = fast.client;
  sql = createPostgres(databaseUrl, { max: 2 });
});

afterAll(async () => {
  for (const s of started) await s.stop();
  await sql?.end();
});

const rowsOf = (key: string) =>
  sql<{ status: string }[]>`select status from payments where idempotency_key = ${key}`.then((rows) =>
    rows.map((r) => r.status),
  );

describe("VoidCharge", () => {
  it("before any charge, records a VOIDED payment, and a later charge with the key returns it, charging nothing", async () => {
    const { payment: voided } = await client.voidCharge({ idempotencyKey: "void-first", reason: "checkout failed" });
    expect(voided).toMatchObject({ idempotencyKey: "void-first", status: PaymentStatus.VOIDED, checkoutId: "" });
    expect(voided?.amount).toBeUndefined();

    const { payment: charged } = await client.charge(chargeRequest("void-first"));
    expect(charged).toEqual(voided);
    expect((await client.getPayment({ idempotencyKey: "void-first" })).payment).toEqual(voided);
    expect(await rowsOf("void-first")).toEqual(["VOIDED"]);
  });

  it("refunds a succeeded charge, and a repeat returns it unchanged", async () => {
    const { payment: charged } = await client.charge(chargeRequest("charge-first"));
    const first = await client.voidCharge({ idempotencyKey: "charge-first", reason: "checkout failed" });
    expect(first.payment).toMatchObject({ paymentId: charged?.paymentId, status: PaymentStatus.REFUNDED });
    expect(first.payment?.refundedAt).toBeDefined();
    expect(await client.voidCharge({ idempotencyKey: "charge-first", reason: "again" })).toEqual(first);
    expect(await rowsOf("charge-first")).toEqual(["REFUNDED"]);
  });

  it("returns a declined charge unchanged", async () => {
    const { payment: declined } = await client.charge(chargeRequest("declined", { token: "tok_chargeDeclined" }));
    expect((await client.voidCharge({ idempotencyKey: "declined" })).payment).toEqual(declined);
  });

  it("answers concurrent voids of one key with one VOIDED payment", async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => client.voidCharge({ idempotencyKey: "void-concurrently", reason: "x" })),
    );
    for (const r of responses) expect(r).toEqual(responses[0]);
    expect(responses[0]?.payment?.status).toBe(PaymentStatus.VOIDED);
    expect(await rowsOf("void-concurrently")).toEqual(["VOIDED"]);
  });

  it("leaves a voided payment as it is when refunded by id", async () => {
    const { payment: voided } = await client.voidCharge({ idempotencyKey: "void-then-refund" });
    expect((await client.refund({ paymentId: voided?.paymentId, reason: "again" })).payment).toEqual(voided);
  });

  it("never leaves a succeeded payment when a void races a slow charge with the same key", async () => {
    const slow = await startTestPaymentService(databaseUrl, { PAYMENT_LATENCY_MS: "300" });
    started.push(slow.service);
    // Voids sent at different moments of the charge's 300 ms: most land while it waits (the
    // caller timed out and compensated), the last ones may come after it stored its outcome.
    const results = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const key = `race-${i}`;
        const charging = slow.client.charge(chargeRequest(key));
        await sleep(i * 50);
        const { payment: afterVoid } = await client.voidCharge({ idempotencyKey: key, reason: "charge timed out" });
        const { payment: charged } = await charging;
        return { charged, afterVoid, rows: await rowsOf(key) };
      }),
    );
    for (const { charged, afterVoid, rows } of results) {
      expect(rows).toHaveLength(1);
      expect(rows).not.toContain("SUCCEEDED");
      if (afterVoid?.status === PaymentStatus.VOIDED) {
        // The charge, though past its wait, stored nothing over the tombstone and answered with it.
        expect(charged).toEqual(afterVoid);
        expect(rows).toEqual(["VOIDED"]);
      } else {
        expect(afterVoid).toMatchObject({ paymentId: charged?.paymentId, status: PaymentStatus.REFUNDED });
        expect(rows).toEqual(["REFUNDED"]);
      }
    }
    expect(results.some((r) => r.afterVoid?.status === PaymentStatus.VOIDED)).toBe(true);
  });

  it.each([
    ["a missing key", { idempotencyKey: "" }],
    ["a key over 255 characters", { idempotencyKey: "k".repeat(256) }],
    ["a reason over 500 characters", { idempotencyKey: "long-reason", reason: "r".repeat(501) }],
  ])("refuses %s as InvalidArgument, recording nothing", async (_name, request) => {
    expect(await failureOf(client.voidCharge(request))).toEqual({
      code: Code.InvalidArgument,
      reason: "INVALID_ARGUMENT",
    });
    expect(await rowsOf(request.idempotencyKey)).toEqual([]);
  });
});
