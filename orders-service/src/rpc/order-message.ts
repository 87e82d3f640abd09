import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { toMoneyProto, toShippingAddressProto, toTotalsProto } from "@checkout-saga/shared";
import {
  CancellationTransitionSchema,
  OrderCancellationSchema,
  OrderItemSchema,
  type Order as OrderMessage,
  OrderSchema,
  OrderStatusChangeSchema,
  OrderStatus as OrderStatusProto,
} from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import type { Cancellation } from "../cancellation/cancellation-saga.js";
import type { Order, OrderCancellation, OrderLine, OrderStatus } from "../domain/order.js";

const protoByStatus: Record<OrderStatus, OrderStatusProto> = {
  CONFIRMED: OrderStatusProto.CONFIRMED,
  SHIPPED: OrderStatusProto.SHIPPED,
  DELIVERED: OrderStatusProto.DELIVERED,
  CANCELLED: OrderStatusProto.CANCELLED,
};

const toItem = (l: OrderLine & { cancelledQuantity?: number }) =>
  create(OrderItemSchema, {
    productId: l.productId,
    name: l.name,
    quantity: l.quantity,
    cancelledQuantity: l.cancelledQuantity ?? 0,
    unitPrice: toMoneyProto(l.unitPrice),
  });

export function toOrderMessage(o: Order): OrderMessage {
  return create(OrderSchema, {
    id: o.id,
    checkoutId: o.checkoutId,
    userId: o.userId,
    status: protoByStatus[o.status],
    total: toMoneyProto(o.total),
    totals: toTotalsProto(o.totals),
    items: o.lines.map(toItem),
    statusHistory: o.statusHistory.map((h) =>
      create(OrderStatusChangeSchema, {
        from: h.from ? protoByStatus[h.from] : OrderStatusProto.UNSPECIFIED,
        to: protoByStatus[h.to],
        reason: h.reason,
        actor: h.actor,
        at: timestampFromDate(h.at),
      }),
    ),
    cancellations: o.cancellations.map(toCancellationMessage),
    shippingAddress: toShippingAddressProto(o.shippingAddress),
    paymentId: o.paymentId,
    createdAt: timestampFromDate(o.createdAt),
    updatedAt: timestampFromDate(o.updatedAt),
  });
}

/** A cancellation as the order (and CancelOrder's answer) shows it. */
export const toCancellationMessage = (c: OrderCancellation) =>
  create(OrderCancellationSchema, {
    cancellationId: c.cancellationId,
    status: c.status,
    refund: toMoneyProto(c.refund),
    pointsReturned: BigInt(c.pointsReturned),
    lines: c.lines.map(toItem),
    createdAt: timestampFromDate(c.createdAt),
  });

/** The saga's cancellation as its customer sees it (CancelOrder's answer). */
export const toCustomerCancellationMessage = (c: Cancellation) =>
  toCancellationMessage({
    cancellationId: c.id,
    status: c.status,
    refund: c.refund,
    pointsReturned: c.pointsReturned,
    lines: c.lines,
    createdAt: c.createdAt,
  });

/** A cancellation as operators see it: the customer's view plus whose, which order, and whether it is stuck. */
export const toOperatorCancellationMessage = (c: Cancellation) =>
  create(OrderCancellationSchema, {
    ...toCustomerCancellationMessage(c),
    orderId: c.orderId,
    userId: c.userId,
    needsAttention: c.needsAttention,
    failureReason: c.failure?.code ?? "",
    // Empty where the store leaves it out (listings).
    history: c.history.map((t) =>
      create(CancellationTransitionSchema, {
        from: t.from ?? "",
        to: t.to,
        reason: t.reason,
        at: timestampFromDate(t.at),
      }),
    ),
  });
