import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { type Amount, type OutboxMessage, toMoneyProto } from "@checkout-saga/shared";
import { EventLineSchema, OrderCancelledSchema } from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import type { OrderLine, OrderStatus } from "../domain/order.js";
import { orderEventMessage } from "./order-status-changed-event.js";

/** OrderCancelled for the outbox: written with the completed cancellation it announces, once. */
export function orderCancelledEvent(
  order: { id: string; userId: string; checkoutId: string; status: OrderStatus },
  cancellation: { id: string; lines: OrderLine[]; refund: Amount; pointsReturned: number; reason: string },
  at: Date,
): OutboxMessage {
  return orderEventMessage(order, at, {
    case: "orderCancelled",
    value: create(OrderCancelledSchema, {
      orderId: order.id,
      userId: order.userId,
      cancellationId: cancellation.id,
      lines: cancellation.lines.map((l) =>
        create(EventLineSchema, {
          productId: l.productId,
          name: l.name,
          quantity: l.quantity,
          unitPrice: toMoneyProto(l.unitPrice),
        }),
      ),
      refund: toMoneyProto(cancellation.refund),
      orderStatus: order.status,
      reason: cancellation.reason,
      cancelledAt: timestampFromDate(at),
      checkoutId: order.checkoutId,
      pointsReturned: BigInt(cancellation.pointsReturned),
    }),
  });
}
