import { createPostgres, createServiceClient, createServiceTransport, type Sql } from "@checkout-saga/shared";
import { PointsService, RedemptionStatus } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PointsLedger } from "../src/domain/points.js";
import type { PaymentService } from "../src/index.js";
import { createPostgresPoints } from "../src/store/postgres-points.js";
import { failureOf, startTestPaymentService } from "./support.js";

let service: PaymentService;
let client: ReturnType<typeof createServiceClient<typeof PointsService>>;
let sql: Sql;
let ledger: PointsLedger;

beforeAll(async () => {
  const databaseUrl = await createTestDatabase("payment_points");
  ({ service } = await startTestPaymentService(databaseUrl));
  client = createServiceClient(PointsService, createServiceTransport(`http://127.0.0.1:${service.port}`));
  sql = createPostgres(databaseUrl);
  ledger = createPostgresPoints(sql, () => new Date());
});

afterAll(async () => {
  await service?.stop();
  await sql?.end();
});

let checkouts = 0;
/** Gives `userId` a lot of `points` (a checkout charged 100× that in yen), completed `daysAgo` days ago. */
async function earn(userId: string, points: number, daysAgo = 0) {
  const checkoutId = `earning-${++checkouts}`;
  await ledger.earn({
    eventId: `event-${checkoutId}`,
    checkoutId,
    userId,
    charged: { currency: "JPY", amountMinor: points * 100 },
    completedAt: new Date(Date.now() - daysAgo * 24 * 3600 * 1000),
  });
  return checkoutId;
}

const redeem = (userId: string, key: string, points: number) =>
  client.redeemPoints({ userId, redemptionKey: key, points: BigInt(points), checkoutId: key });

const balanceOf = async (userId: string) => (await client.getPoints({ userId })).balance;

describe("RedeemPoints", () => {
  it("lets exactly the redemptions the balance covers through when 50 run at once", async () => {
    await earn("racer", 100);
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => redeem("racer", `race-${i}`, 10)));
    const succeeded = outcomes.filter((o) => o.status === "fulfilled");
    expect(succeeded).toHaveLength(10);
    for (const o of outcomes) {
      if (o.status === "rejected")
        expect(await failureOf(Promise.reject(o.reason))).toEqual({
          code: Code.FailedPrecondition,
          reason: "POINTS_INSUFFICIENT",
        });
    }
    expect(await balanceOf("racer")).toBe(0n);
    const [lot] = await sql<{ remaining: string }[]>`select remaining from points_lots where user_id = 'racer'`;
    expect(Number(lot?.remaining)).toBe(0);
  });

  it("answers a repeat with the same redemption and takes nothing more; another number is refused", async () => {
    await earn("repeater", 50);
    const first = await redeem("repeater", "repeat-1", 20);
    expect(await redeem("repeater", "repeat-1", 20)).toEqual(first);
    expect(await balanceOf("repeater")).toBe(30n);
    expect(await failureOf(redeem("repeater", "repeat-1", 21))).toEqual({
      code: Code.FailedPrecondition,
      reason: "REDEMPTION_KEY_REUSED",
    });
    expect(await failureOf(redeem("someone-else", "repeat-1", 20))).toEqual({
      code: Code.FailedPrecondition,
      reason: "REDEMPTION_KEY_REUSED",
    });
  });

  it("takes nothing under a key ReturnPoints voided first", async () => {
    await earn("voider", 40);
    const voided = await client.returnPoints({ redemptionKey: "void-first", reason: "checkout failed" });
    expect(voided.redemption?.status).toBe(RedemptionStatus.VOIDED);
    const late = await redeem("voider", "void-first", 10);
    expect(late.redemption).toMatchObject({ status: RedemptionStatus.VOIDED, points: 0n });
    expect(await balanceOf("voider")).toBe(40n);
  });

  it("refuses more than the balance, naming both", async () => {
    await earn("short", 5);
    const failure = await failureOf(redeem("short", "too-much", 6));
    expect(failure).toEqual({ code: Code.FailedPrecondition, reason: "POINTS_INSUFFICIENT" });
    expect(await balanceOf("short")).toBe(5n);
  });
});

describe("ReturnPoints", () => {
  it("gives points back to the lots they came from, with their expiry, the last drawn first", async () => {
    const older = await earn("returner", 30, 300);
    const newer = await earn("returner", 30, 10);
    await redeem("returner", "spend-both", 50); // 30 from the older lot, 20 from the newer
    const partial = await client.returnPoints({
      redemptionKey: "spend-both",
      points: 15n,
      returnKey: "c1",
      reason: "cancelled",
    });
    expect(partial.returnedNow).toBe(15n);
    let lots = (await client.getPoints({ userId: "returner" })).lots;
    expect(lots.map((l) => [l.checkoutId, l.points])).toEqual([[newer, 25n]]);
    const rest = await client.returnPoints({ redemptionKey: "spend-both", reason: "checkout failed" });
    expect(rest.returnedNow).toBe(35n);
    expect(rest.redemption?.status).toBe(RedemptionStatus.RETURNED);
    lots = (await client.getPoints({ userId: "returner" })).lots;
    expect(lots.map((l) => [l.checkoutId, l.points, l.earned])).toEqual([
      [older, 30n, 30n],
      [newer, 30n, 30n],
    ]);
    const history = (await client.getPoints({ userId: "returner" })).history;
    expect(history.slice(0, 3).map((e) => [e.reason, e.delta])).toEqual([
      ["returned", 35n],
      ["returned", 15n],
      ["redeemed", -50n],
    ]);
  });

  it("is idempotent by return key; another number under it, or more than is left, is refused", async () => {
    await earn("keyed", 20);
    await redeem("keyed", "keyed-1", 20);
    const first = await client.returnPoints({ redemptionKey: "keyed-1", points: 5n, returnKey: "r1", reason: "x" });
    const again = await client.returnPoints({ redemptionKey: "keyed-1", points: 5n, returnKey: "r1", reason: "x" });
    expect(again).toMatchObject({ returnedNow: 0n, redemption: first.redemption });
    expect(
      await failureOf(client.returnPoints({ redemptionKey: "keyed-1", points: 6n, returnKey: "r1", reason: "x" })),
    ).toEqual({
      code: Code.FailedPrecondition,
      reason: "RETURN_KEY_REUSED",
    });
    expect(
      await failureOf(client.returnPoints({ redemptionKey: "keyed-1", points: 16n, returnKey: "r2", reason: "x" })),
    ).toEqual({
      code: Code.FailedPrecondition,
      reason: "RETURN_EXCEEDS_REDEMPTION",
    });
    expect(await balanceOf("keyed")).toBe(5n);
  });
});
