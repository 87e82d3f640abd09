import { createServiceClient } from "@checkout-saga/shared";
import { PointsService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import type { Transport } from "@connectrpc/connect";
import type { PointsReturnPort } from "../cancellation/ports.js";

/** PointsService.ReturnPoints over Connect (served by the payment service), each call with its own deadline. */
export function createPointsClient(transport: Transport, timeoutMs: number): PointsReturnPort {
  const client = createServiceClient(PointsService, transport);
  return {
    async returnPoints({ checkoutId, points, returnKey, orderId, reason }) {
      // The checkout id is the redemption's key: the checkout redeemed under it.
      await client.returnPoints(
        { redemptionKey: checkoutId, points: BigInt(points), returnKey, orderId, reason },
        { timeoutMs },
      );
    },
  };
}
