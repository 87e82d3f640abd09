import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type GetPointsRequest,
  GetPointsResponseSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import { describe, expect, it } from "vitest";
import { problemOf, startTestGateway } from "./fixture.js";

/*
 * GET /points in front of a fake PointsService: the ledger is the payment service's, and this
 * checks what the gateway adds — the caller as the user, the contract's JSON, the refusals.
 */

const at = (iso: string) => timestampFromDate(new Date(iso));

const alicesPoints = create(GetPointsResponseSchema, {
  balance: 1368n,
  lots: [
    {
      lotId: "lot-1",
      points: 1368n,
      earned: 1898n,
      earnedAt: at("2026-01-01T00:00:03Z"),
      expiresAt: at("2027-01-01T00:00:03Z"),
      checkoutId: "co-1",
    },
  ],
  history: [
    { delta: -600n, reason: "redeemed", checkoutId: "co-2", at: at("2026-02-01T00:00:00Z") },
    { delta: 70n, reason: "returned", checkoutId: "co-2", orderId: "o-2", at: at("2026-02-02T00:00:00Z") },
    { delta: 1898n, reason: "earned", checkoutId: "co-1", at: at("2026-01-01T00:00:03Z") },
  ],
});

function gatewayWithLedger() {
  const asked: GetPointsRequest[] = [];
  const gw = startTestGateway({
    services: () => ({
      points: {
        getPoints(req) {
          asked.push(req);
          return alicesPoints;
        },
      },
    }),
  });
  return { gw, asked };
}

describe("GET /points", () => {
  it("answers the caller's balance, lots with expiry and history in the contract's shape", async () => {
    const { gw, asked } = gatewayWithLedger();
    const res = await gw.call("GET", "/points");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      balance: 1368,
      lots: [{ points: 1368, earned_at: "2026-01-01T00:00:03.000Z", expires_at: "2027-01-01T00:00:03.000Z" }],
      history: [
        { delta: -600, reason: "redeemed", checkout_id: "co-2", at: "2026-02-01T00:00:00.000Z" },
        { delta: 70, reason: "returned", checkout_id: "co-2", order_id: "o-2", at: "2026-02-02T00:00:00.000Z" },
        { delta: 1898, reason: "earned", checkout_id: "co-1", at: "2026-01-01T00:00:03.000Z" },
      ],
    });
    expect(asked.map((r) => [r.userId, r.historyLimit])).toEqual([["alice", 0]]);
  });

  it("asks for the caller's points only, and as many history entries as history_limit says", async () => {
    const { gw, asked } = gatewayWithLedger();
    expect((await gw.call("GET", "/points?history_limit=5", { user: "bob" })).status).toBe(200);
    expect(asked.map((r) => [r.userId, r.historyLimit])).toEqual([["bob", 5]]);
  });

  it("refuses a history_limit outside its field rule, and a caller without a token", async () => {
    const { gw, asked } = gatewayWithLedger();
    const tooMany = await gw.call("GET", "/points?history_limit=1001");
    expect(tooMany.status).toBe(400);
    expect((await problemOf(tooMany)).type).toMatch(/validation-error$/);
    expect((await gw.call("GET", "/points", { user: null })).status).toBe(401);
    expect(asked).toEqual([]);
  });
});
