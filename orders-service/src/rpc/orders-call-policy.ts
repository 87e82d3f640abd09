import { defineCallPolicy } from "@checkout-saga/shared";
import { OrdersService } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";

/** An order is its user's, read for the user of the user assertion; admins read anyone's and move orders along (shipped, delivered). */
export const ordersCallPolicy = defineCallPolicy(OrdersService, {
  getOrder: { gateway: "user-or-admin", developer: "user-or-admin" },
  listOrders: { gateway: "user-or-admin", developer: "user-or-admin" },
  shipOrder: { gateway: "admin", developer: "admin" },
  deliverOrder: { gateway: "admin", developer: "admin" },
});
