import { defineCallPolicy } from "@checkout-saga/shared";
import { PointsService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";

/**
 * Points are their user's: the gateway (and a developer) read them for the user their user
 * assertion names. Only the checkout saga redeems, for its session's user named in the request
 * (its recovery runs without an assertion); the checkout saga (its compensation) and the order
 * cancellation saga give redeemed points back.
 */
export const pointsCallPolicy = defineCallPolicy(PointsService, {
  getPoints: { gateway: "user", developer: "user" },
  redeemPoints: { "checkout-service": "named-user", developer: "named-user" },
  returnPoints: { "checkout-service": "service", "orders-service": "service", developer: "service" },
});
