import { isUuid, newestFirstPageToken, notFound, pageSize } from "@checkout-saga/shared";
import { OrdersService } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import type { ConnectRouter } from "@connectrpc/connect";
import type { OrderStore } from "../domain/order-store.js";
import { statusFromProto, toOrderMessage } from "./order-message.js";

export function ordersRoutes(orders: OrderStore) {
  return (router: ConnectRouter) =>
    router.service(OrdersService, {
      async getOrder(req) {
        const order = isUuid(req.orderId) ? await orders.get(req.orderId.toLowerCase()) : undefined;
        // Another user's order is reported exactly like a missing one, so ids reveal nothing.
        if (!order || (req.userId !== "" && order.userId !== req.userId)) throw orderNotFound(req.orderId);
        return { order: toOrderMessage(order) };
      },

      async listOrders(req) {
        const page = await orders.list({
          userId: req.userId,
          checkoutId: req.checkoutId === "" ? undefined : req.checkoutId,
          limit: pageSize(req.pageSize),
          after: newestFirstPageToken.decode(req.pageToken),
        });
        return {
          orders: page.orders.map(toOrderMessage),
          nextPageToken: page.next === undefined ? "" : newestFirstPageToken.encode(page.next),
        };
      },

      async updateOrderStatus(req) {
        const status = statusFromProto(req.status);
        const order = isUuid(req.orderId) ? await orders.updateStatus(req.orderId.toLowerCase(), status) : undefined;
        if (!order) throw orderNotFound(req.orderId);
        return { order: toOrderMessage(order) };
      },
    });
}

const orderNotFound = (orderId: string) =>
  notFound("ORDER_NOT_FOUND", `order ${orderId} does not exist`, { metadata: { order_id: orderId } });
