import { setTimeout as sleep } from "node:timers/promises";
import { errorDetail } from "@checkout-saga/shared";
import { CheckoutStatus } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { Code, ConnectError } from "@connectrpc/connect";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RealDownstream, startRealDownstream } from "./real-downstream.js";
import { checkoutRequest, eventually, startCheckout } from "./support.js";

const LAPTOP = "1";
const MOUSE = "2";

let downstream: RealDownstream;
let checkout: Awaited<ReturnType<typeof startCheckout>>;
let db: postgres.Sql;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase("checkout_concurrency");
  downstream = await startRealDownstream();
  checkout = await startCheckout({ databaseUrl, env: downstream.checkoutEnv });
  db = postgres(databaseUrl, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await checkout?.service.stop();
  await downstream?.stop();
  await db?.end();
});

const countBy = <T>(items: T[], key: (item: T) => string) =>
  items.reduce<Record<string, number>>((all, item) => {
    all[key(item)] = (all[key(item)] ?? 0) + 1;
    return all;
  }, {});

describe("concurrent checkouts against the real services, on PostgreSQL", { timeout: 120_000 }, () => {
  it("sells exactly the stock when 200 customers race for 50 laptops", async () => {
    await downstream.setStock(LAPTOP, 50);
    const users = Array.from({ length: 200 }, (_, i) => `racer-${i}`);
    await Promise.all(users.map((u) => downstream.fillCart(u, LAPTOP, 1)));

    // Sample the stock row while the race runs: it must never show a negative count.
    const samples: number[] = [];
    let racing = true;
    const watcher = (async () => {
      while (racing) {
        samples.push((await downstream.stockOf(LAPTOP)).available);
        await sleep(5);
      }
    })();
    const responses = await Promise.all(
      users.map((u) => checkout.client.initiateCheckout(checkoutRequest(u, `race-${u}`))),
    ).finally(() => {
      racing = false;
    });
    await watcher;

    const outcomes = responses.map((r) => r.checkout);
    expect(countBy(outcomes, (c) => CheckoutStatus[c?.status ?? 0] ?? "?")).toEqual({ COMPLETED: 50, FAILED: 150 });
    const failed = outcomes.filter((c) => c?.status === CheckoutStatus.FAILED);
    expect(new Set(failed.map((c) => c?.failure?.code))).toEqual(new Set(["OUT_OF_STOCK"]));

    expect(samples.length).toBeGreaterThan(0);
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
    expect(await downstream.stockOf(LAPTOP)).toEqual({ available: 0, reserved: 0 });
    expect(await downstream.soldOf(LAPTOP)).toBe(50);

    const sessions = await db<{ status: string }[]>`select status from checkout_sessions where user_id like 'racer-%'`;
    expect(countBy(sessions, (s) => s.status)).toEqual({ COMPLETED: 50, FAILED: 150 });
    // Only the 50 that got stock were charged; nothing else reached the payment service.
    const payments = await downstream.paymentDb<{ status: string }[]>`select status from payments`;
    expect(countBy(payments, (p) => p.status)).toEqual({ SUCCEEDED: 50 });
    const held = await downstream.inventoryDb`select 1 from reservations where status = 'HELD'`;
    expect(held.length).toBe(0);
    // One ending event per checkout, of the matching type.
    const events = await db<{ event_type: string; n: number }[]>`
      select o.event_type, count(*)::int as n from outbox o
      join checkout_sessions s on s.id = o.aggregate_id
      where s.user_id like 'racer-%' group by o.event_type order by o.event_type`;
    expect(events.map((e) => [e.event_type, e.n])).toEqual([
      ["CheckoutCompleted", 50],
      ["CheckoutFailed", 150],
    ]);
  });

  it("makes one checkout and one charge from 50 concurrent calls with one Idempotency-Key", async () => {
    const userId = "one-key-user";
    await downstream.fillCart(userId, MOUSE, 1);
    const request = checkoutRequest(userId, "one-key");

    const settled = await Promise.allSettled(
      Array.from({ length: 50 }, () => checkout.client.initiateCheckout(request)),
    );

    const answered = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const refused = settled.flatMap((s) => (s.status === "rejected" ? [s.reason] : []));
    expect(answered.length).toBeGreaterThanOrEqual(1);
    const ids = new Set(answered.map((r) => r.checkout?.checkoutId));
    expect(ids.size).toBe(1);
    const [checkoutId] = [...ids];
    for (const err of refused) {
      expect(ConnectError.from(err).code).toBe(Code.Aborted);
      expect(errorDetail(err)?.reason).toBe("IDEMPOTENCY_KEY_IN_FLIGHT");
      expect(errorDetail(err)?.metadata.checkout_id).toBe(checkoutId);
    }

    const sessions = await db<{ id: string }[]>`select id from checkout_sessions where user_id = ${userId}`;
    expect(sessions.map((s) => s.id)).toEqual([checkoutId]);
    const keys = await db`select 1 from idempotency_keys where user_id = ${userId}`;
    expect(keys.length).toBe(1);
    const done = await eventually("the checkout to complete", async () => {
      const { checkout: c } = await checkout.client.getCheckout({ checkoutId });
      return c?.status === CheckoutStatus.COMPLETED ? c : undefined;
    });
    expect(done.checkoutId).toBe(checkoutId);
    expect(await downstream.effectsOf(checkoutId ?? "")).toEqual({
      reservations: ["CONFIRMED"],
      payments: ["SUCCEEDED"],
    });

    // After the first finished, the key only ever replays it.
    const again = await checkout.client.initiateCheckout(request);
    expect(again.replayed).toBe(true);
    expect(again.checkout?.checkoutId).toBe(checkoutId);
  });
});
