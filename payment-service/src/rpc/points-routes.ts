import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { actingUser, type Logger } from "@checkout-saga/shared";
import {
  PointsService,
  type Redemption as RedemptionMessage,
  RedemptionSchema,
  RedemptionStatus,
} from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import type { ConnectRouter } from "@connectrpc/connect";
import type { PointsLedger, Redemption } from "../domain/points.js";

/** GetPoints answers this many history entries when the request names no limit. */
const DEFAULT_HISTORY_LIMIT = 100;

const statusToProto: Record<Redemption["status"], RedemptionStatus> = {
  REDEEMED: RedemptionStatus.REDEEMED,
  RETURNED: RedemptionStatus.RETURNED,
  VOIDED: RedemptionStatus.VOIDED,
};

export function pointsRoutes(points: PointsLedger, logger: Logger) {
  return (router: ConnectRouter) =>
    router.service(PointsService, {
      async getPoints(req, ctx) {
        const account = await points.account(actingUser(ctx), req.historyLimit || DEFAULT_HISTORY_LIMIT);
        return {
          balance: BigInt(account.balance),
          lots: account.lots.map((l) => ({
            lotId: l.id,
            points: BigInt(l.remaining),
            earned: BigInt(l.earned),
            earnedAt: timestampFromDate(l.earnedAt),
            expiresAt: timestampFromDate(l.expiresAt),
            checkoutId: l.checkoutId,
          })),
          history: account.history.map((e) => ({
            delta: BigInt(e.delta),
            reason: e.reason,
            checkoutId: e.checkoutId ?? "",
            orderId: e.orderId ?? "",
            at: timestampFromDate(e.at),
          })),
        };
      },
      async redeemPoints(req, ctx) {
        const redemption = await points.redeem({
          userId: actingUser(ctx),
          redemptionKey: req.redemptionKey,
          // The field rule keeps it within 1..2^53-1, so it converts exactly.
          points: Number(req.points),
          checkoutId: req.checkoutId,
        });
        logger.info(
          { redemptionKey: req.redemptionKey, status: redemption.status, points: redemption.points },
          "redeem answered",
        );
        return { redemption: toMessage(redemption) };
      },
      async returnPoints(req) {
        const { redemption, returnedNow } = await points.giveBack({
          redemptionKey: req.redemptionKey,
          ...(req.points === 0n ? {} : { points: Number(req.points) }),
          ...(req.returnKey === "" ? {} : { returnKey: req.returnKey }),
          reason: req.reason,
          ...(req.orderId === "" ? {} : { orderId: req.orderId }),
        });
        logger.info(
          { redemptionKey: req.redemptionKey, returnKey: req.returnKey, status: redemption.status, returnedNow },
          "return answered",
        );
        return { redemption: toMessage(redemption), returnedNow: BigInt(returnedNow) };
      },
    });
}

function toMessage(r: Redemption): RedemptionMessage {
  return create(RedemptionSchema, {
    redemptionKey: r.redemptionKey,
    userId: r.userId,
    checkoutId: r.checkoutId,
    points: BigInt(r.points),
    returned: BigInt(r.returned),
    status: statusToProto[r.status],
    createdAt: timestampFromDate(r.createdAt),
  });
}
