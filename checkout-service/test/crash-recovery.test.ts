import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CHECKOUT_EVENTS_TOPIC, errorDetail } from "@checkout-saga/shared";
import type { InitiateCheckoutResponse } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createKafkaTopics, type RunningKafka, startKafka } from "../../scripts/provision/servers.js";
import { KAFKA_USERS } from "../../scripts/stack/topology.js";
import type { CrashPoint } from "../src/saga/saga-faults.js";
import { type CheckoutProcess, startCheckoutProcess } from "./checkout-process.js";
import { type RealDownstream, startRealDownstream } from "./real-downstream.js";
import { checkoutRequest, eventually } from "./support.js";

/**
 * SIGKILL at the worst moments: the checkout service runs as its own process (production
 * mode, on Kafka) against the real downstream services, dies at a crash point
 * (CHECKOUT_CRASH_AT), and is started again without the hook.
 */

const MOUSE = "2";
/** ¥13,200: a card order of it earns 132 points. */
const KEYBOARD = "3";

let kafka: RunningKafka;
let kafkaDir: string;
let downstream: RealDownstream;
/** Started by the one test that needs holds to expire. */
let slow: RealDownstream | undefined;
let db: postgres.Sql;
let databaseUrl: string;
const processes = new Set<CheckoutProcess>();

beforeAll(async () => {
  kafkaDir = await mkdtemp(path.join(os.tmpdir(), "checkout-crash-kafka-"));
  // Provisions Kafka itself when needed: the jars come from the cache after the first run.
  kafka = await startKafka({ dataDir: kafkaDir, users: KAFKA_USERS });
  await createKafkaTopics(kafka.admin, [{ topic: CHECKOUT_EVENTS_TOPIC, partitions: 3 }]);
  downstream = await startRealDownstream();
  databaseUrl = await createTestDatabase("checkout_crash");
  db = postgres(databaseUrl, { max: 2, onnotice: () => {} });
}, 600_000);

afterEach(async () => {
  for (const p of processes) await p.stop();
  processes.clear();
});

afterAll(async () => {
  for (const p of processes) await p.stop();
  await downstream?.stop();
  await slow?.stop();
  await db?.end();
  await kafka?.stop();
  if (kafkaDir) await rm(kafkaDir, { recursive: true, force: true });
}, 60_000);

/** Starts the service process; a short lease so the dead one's checkouts are free again within a second. */
async function startService(env: Record<string, string> = {}) {
  const p = await startCheckoutProcess({
    CHECKOUT_DATABASE_URL: databaseUrl,
    // As the stack runs it: the relay is Kafka user checkout-service, with its ACLs.
    ...kafka.env("checkout-service"),
    ...downstream.checkoutEnv,
    CHECKOUT_LEASE_MS: "1000",
    CHECKOUT_RECOVERY_INTERVAL_MS: "200",
    CHECKOUT_RECOVERY_GRACE_MS: "0",
    OUTBOX_POLL_INTERVAL_MS: "100",
    ...env,
  });
  processes.add(p);
  return p;
}

/** Starts the service armed to die at `point`, initiates a checkout, and waits for the SIGKILL. */
async function crashAt(
  point: CrashPoint,
  request: ReturnType<typeof checkoutRequest>,
  env: Record<string, string> = {},
) {
  const doomed = await startService({ ...env, CHECKOUT_CRASH_AT: point });
  await expect(doomed.client.initiateCheckout(request)).rejects.toThrow();
  const exit = await doomed.exited;
  expect(exit.signal, doomed.output()).toBe("SIGKILL");
  processes.delete(doomed);
  const rows = await db<{ id: string; status: string }[]>`
    select id, status from checkout_sessions where user_id = ${request.userId}`;
  expect(rows).toHaveLength(1);
  return rows[0] as { id: string; status: string };
}

const statusOf = async (checkoutId: string) =>
  (await db<{ status: string }[]>`select status from checkout_sessions where id = ${checkoutId}`)[0]?.status;

type Effects = { reservations: string[]; payments: string[] };

/**
 * What must hold for any checkout once it ended, however often its driver died: one checkout
 * for the user, no hold left, at most one successful charge (none if it failed), exactly one
 * ending event in the outbox, published to Kafka. `effects`: the exact downstream rows expected.
 */
async function expectCleanEnd(
  checkoutId: string,
  userId: string,
  final: "COMPLETED" | "FAILED",
  effects: Effects,
  world: RealDownstream = downstream,
) {
  expect(await statusOf(checkoutId)).toBe(final);
  const sessions = await db`select 1 from checkout_sessions where user_id = ${userId}`;
  expect(sessions).toHaveLength(1);

  const { reservations, payments } = await world.effectsOf(checkoutId);
  expect(reservations).not.toContain("HELD");
  expect(payments.filter((p) => p === "SUCCEEDED").length).toBeLessThanOrEqual(1);
  if (final === "FAILED") expect(payments).not.toContain("SUCCEEDED");
  expect({ reservations, payments }).toEqual(effects);

  const events = await db<{ event_type: string }[]>`select event_type from outbox where aggregate_id = ${checkoutId}`;
  expect(events.map((e) => e.event_type)).toEqual([final === "COMPLETED" ? "CheckoutCompleted" : "CheckoutFailed"]);
  await eventually(
    "the relay to publish the event to Kafka",
    async () => {
      const [row] = await db<{ published: boolean }[]>`
      select published_at is not null as published from outbox where aggregate_id = ${checkoutId}`;
      return row?.published ? true : undefined;
    },
    30_000,
  );
}

const cases: Array<{
  point: CrashPoint;
  token: string;
  /** What the dead process left: the checkout's state and the downstream effects. */
  leftBehind: { status: string } & Effects;
  final: "COMPLETED" | "FAILED";
}> = [
  {
    point: "after-reserve",
    token: "tok_visa",
    leftBehind: { status: "POINTS_REDEEMED", reservations: ["HELD"], payments: [] },
    final: "COMPLETED",
  },
  {
    point: "during-charge",
    token: "tok_visa",
    leftBehind: { status: "PAYMENT_PENDING", reservations: ["HELD"], payments: ["SUCCEEDED"] },
    final: "COMPLETED",
  },
  {
    point: "after-charge",
    token: "tok_visa",
    leftBehind: { status: "PAYMENT_PENDING", reservations: ["HELD"], payments: ["SUCCEEDED"] },
    final: "COMPLETED",
  },
  {
    point: "during-compensation",
    token: "tok_chargeDeclined",
    leftBehind: { status: "COMPENSATING", reservations: ["RELEASED"], payments: ["DECLINED"] },
    final: "FAILED",
  },
];

// Each test starts two service processes; on a busy machine that alone can take seconds.
describe("SIGKILL at a crash point, then a restart (separate process, real services, Kafka)", {
  timeout: 120_000,
}, () => {
  it.each(cases)("$point: recovery finishes the checkout ($final) with nothing doubled or leaked", async (c) => {
    const userId = `crash-${c.point}`;
    await downstream.fillCart(userId, MOUSE, 1);
    const request = checkoutRequest(userId, `key-${c.point}`, { token: c.token });

    const crashed = await crashAt(c.point, request);
    const { status, ...leftEffects } = c.leftBehind;
    expect(crashed.status).toBe(status);
    expect(await downstream.effectsOf(crashed.id)).toEqual(leftEffects);

    const revived = await startService();
    await eventually(
      `recovery to finish checkout ${crashed.id}`,
      async () => ((await statusOf(crashed.id)) === c.final ? true : undefined),
      60_000,
    );
    const endEffects =
      c.final === "COMPLETED"
        ? { reservations: ["CONFIRMED"], payments: ["SUCCEEDED"] }
        : { reservations: ["RELEASED"], payments: ["DECLINED"] };
    await expectCleanEnd(crashed.id, userId, c.final, endEffects);

    // The same key afterwards answers with that checkout, never a second one.
    const again = await revived.client.initiateCheckout(request);
    expect(again.replayed).toBe(true);
    expect(again.checkout?.checkoutId).toBe(crashed.id);
    await expectCleanEnd(crashed.id, userId, c.final, endEffects);
  });

  it("during-compensation after the pivot (refund done, release not): refunded once, FAILED", async () => {
    // Holds expire after 1 s (checkout asks for the card's 1 s payment deadline, no margin) and
    // charges take 2 s: the charge succeeds, Confirm finds the hold gone (RESERVATION_LOST), and
    // compensation refunds first — the crash comes right after.
    slow = await startRealDownstream({
      inventory: { INVENTORY_SWEEP_INTERVAL_MS: "100" },
      payment: { PAYMENT_LATENCY_MS: "2000" },
    });
    const userId = "crash-after-pivot";
    await slow.fillCart(userId, MOUSE, 1);
    const request = checkoutRequest(userId, "key-after-pivot");

    const env = { ...slow.checkoutEnv, CHECKOUT_PAYMENT_DEADLINE_MS: "1000", CHECKOUT_PAYMENT_MARGIN_SECONDS: "0" };
    const crashed = await crashAt("during-compensation", request, env);
    expect(crashed.status).toBe("COMPENSATING");
    expect(await slow.effectsOf(crashed.id)).toEqual({ reservations: ["EXPIRED"], payments: ["REFUNDED"] });

    await startService(env);
    await eventually(
      `recovery to finish checkout ${crashed.id}`,
      async () => ((await statusOf(crashed.id)) === "FAILED" ? true : undefined),
      60_000,
    );
    await expectCleanEnd(crashed.id, userId, "FAILED", { reservations: ["EXPIRED"], payments: ["REFUNDED"] }, slow);
    const [row] = await db<
      { failure: { code: string } }[]
    >`select failure from checkout_sessions where id = ${crashed.id}`;
    expect(row?.failure.code).toBe("RESERVATION_LOST");
  });

  it("a retry with the same Idempotency-Key after a crash resumes that checkout", async () => {
    const userId = "crash-retry";
    await downstream.fillCart(userId, MOUSE, 1);
    const request = checkoutRequest(userId, "key-retry");
    const crashed = await crashAt("after-charge", request);

    // Recovery is told to leave it alone, so the retry is what drives it to its end.
    const revived = await startService({ CHECKOUT_RECOVERY_GRACE_MS: "3600000" });
    const response = await eventually(
      "the dead driver's lease to expire",
      async () => {
        try {
          return await revived.client.initiateCheckout(request);
        } catch (err) {
          if (errorDetail(err)?.reason === "IDEMPOTENCY_KEY_IN_FLIGHT") return undefined;
          throw err;
        }
      },
      30_000,
    );
    expect((response as InitiateCheckoutResponse).replayed).toBe(false);
    expect(response.checkout?.checkoutId).toBe(crashed.id);
    await expectCleanEnd(crashed.id, userId, "COMPLETED", { reservations: ["CONFIRMED"], payments: ["SUCCEEDED"] });
  });

  /**
   * Points (issue #15): the user earned 132 points (a ¥13,200 card order) and redeems some of
   * them; the process dies between the ledger's answer and the commit recording it. Whatever the
   * crash, the balance ends exactly right: taken once for a completed checkout, all back (to the
   * same lot) for a failed one. Needs the points ledger (payment-service's PointsService).
   */
  async function checkoutWithPoints(userId: string, token: string, points: number) {
    await downstream.earnPoints(userId, 13_200);
    const earned = await downstream.pointsOf(userId);
    expect(earned.balance).toBe(132);
    await downstream.fillCart(userId, KEYBOARD, 1, "JPY");
    return { earned, request: checkoutRequest(userId, `key-${userId}`, { token, points }) };
  }

  it("after-redeem: the points are taken once, and recovery charges only the rest", async () => {
    const userId = "crash-after-redeem";
    const { request } = await checkoutWithPoints(userId, "tok_visa", 100);

    const crashed = await crashAt("after-redeem", request);
    expect(crashed.status).toBe("LINES_CLAIMED");
    expect((await downstream.pointsOf(userId)).balance).toBe(32);

    await startService();
    await eventually(
      `recovery to finish checkout ${crashed.id}`,
      async () => ((await statusOf(crashed.id)) === "COMPLETED" ? true : undefined),
      60_000,
    );
    await expectCleanEnd(crashed.id, userId, "COMPLETED", { reservations: ["CONFIRMED"], payments: ["SUCCEEDED"] });
    expect((await downstream.pointsOf(userId)).balance).toBe(32);
    const [charged] = await downstream.paymentDb<{ amount_minor: string }[]>`
      select amount_minor from payments where checkout_id = ${crashed.id}`;
    expect(Number(charged?.amount_minor)).toBe(13_100);
  });

  it("during-redeem-compensation: a declined card gives the 50 points back once, to the same lot", async () => {
    const userId = "crash-redeem-compensation";
    const { earned, request } = await checkoutWithPoints(userId, "tok_chargeDeclined", 50);

    const crashed = await crashAt("during-redeem-compensation", request);
    expect(crashed.status).toBe("COMPENSATING");
    expect(await downstream.pointsOf(userId)).toEqual(earned);

    await startService();
    await eventually(
      `recovery to finish checkout ${crashed.id}`,
      async () => ((await statusOf(crashed.id)) === "FAILED" ? true : undefined),
      60_000,
    );
    await expectCleanEnd(crashed.id, userId, "FAILED", { reservations: ["RELEASED"], payments: ["DECLINED"] });
    // The same lot with its expiry, holding all 132 again: the repeated return gave nothing more.
    expect(await downstream.pointsOf(userId)).toEqual(earned);
  });
});
