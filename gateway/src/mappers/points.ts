import type { GetPointsResponse } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import type { PointsJson } from "../openapi/schemas.js";
import { isoTime } from "./json.js";

/** The caller's points as GET /points shows them: lots and history without the ledger's ids. */
export function pointsJson(p: GetPointsResponse): PointsJson {
  return {
    balance: Number(p.balance),
    lots: p.lots.map((l) => ({
      points: Number(l.points),
      earned_at: isoTime(l.earnedAt),
      expires_at: isoTime(l.expiresAt),
    })),
    history: p.history.map((e) => ({
      delta: Number(e.delta),
      reason: e.reason,
      ...(e.checkoutId ? { checkout_id: e.checkoutId } : {}),
      ...(e.orderId ? { order_id: e.orderId } : {}),
      at: isoTime(e.at),
    })),
  };
}
