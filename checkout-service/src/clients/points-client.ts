import { createServiceClient } from "@checkout-saga/shared";
import {
  PointsService,
  type Redemption,
  RedemptionStatus,
} from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import type { Transport } from "@connectrpc/connect";
import type { PointsPort, RedemptionStatus as RedemptionOutcome } from "../saga/ports.js";

const statuses: Partial<Record<RedemptionStatus, RedemptionOutcome>> = {
  [RedemptionStatus.REDEEMED]: "redeemed",
  [RedemptionStatus.RETURNED]: "returned",
  [RedemptionStatus.VOIDED]: "voided",
};

/** PointsService over Connect (served by the payment service's process), each call with its own deadline. */
export function createPointsClient(transport: Transport, timeoutMs: number): PointsPort {
  const client = createServiceClient(PointsService, transport);
  return {
    async redeem({ userId, checkoutId, points }) {
      const res = await client.redeemPoints(
        { userId, redemptionKey: checkoutId, checkoutId, points: BigInt(points) },
        { timeoutMs },
      );
      return toStatus(res.redemption);
    },
    async returnAll(checkoutId, reason) {
      // No points and no return key: all that is not yet returned, once.
      await client.returnPoints({ redemptionKey: checkoutId, reason }, { timeoutMs });
    },
  };
}

function toStatus(redemption: Redemption | undefined): RedemptionOutcome {
  const status = redemption && statuses[redemption.status];
  if (!status) throw new Error("the points service answered without a usable redemption");
  return status;
}
