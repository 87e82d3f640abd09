import { defineCallPolicy } from "@checkout-saga/shared";
import { OrdersService } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";

/**
 * An order is its user's, read and cancelled for the user of the user assertion; admins read and
 * cancel anyone's and move orders along (shipped, delivered).
 */
export const ordersCallPolicy = defineCallPolicy(OrdersService, {
  getOrder: { gateway: "user-or-admin", developer: "user-or-admin" },
  listOrders: { gateway: "user-or-admin", developer: "user-or-admin" },
  shipOrder: { gateway: "admin", developer: "admin" },
  deliverOrder: { gateway: "admin", developer: "admin" },
  cancelOrder: { gateway: "user-or-admin", developer: "user-or-admin" },
  listCancellations: { gateway: "admin", developer: "admin" },
  retryCancellation: { gateway: "admin", developer: "admin" },
  listOrderEvents: { gateway: "admin", developer: "admin" },
  getCancellation: { gateway: "admin", developer: "admin" },
  getOutboxStatus: { gateway: "admin", developer: "admin" },
});
