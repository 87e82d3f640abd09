import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { toMoneyProto, toShippingAddressProto, toTotalsProto } from "@checkout-saga/shared";
import {
  OrderItemSchema,
  type Order as OrderMessage,
  OrderSchema,
  OrderStatus as OrderStatusProto,
} from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import type { Order, OrderStatus } from "../domain/order.js";

const protoByStatus: Record<OrderStatus, OrderStatusProto> = {
  CONFIRMED: OrderStatusProto.CONFIRMED,
  SHIPPED: OrderStatusProto.SHIPPED,
  DELIVERED: OrderStatusProto.DELIVERED,
  CANCELLED: OrderStatusProto.CANCELLED,
};

/** The request's field rule admits only defined statuses other than UNSPECIFIED: each is an order status. */
export function statusFromProto(status: OrderStatusProto): OrderStatus {
  const found = (Object.keys(protoByStatus) as OrderStatus[]).find((s) => protoByStatus[s] === status);
  if (!found) throw new Error(`order status ${status} has no domain status: the field rule should have refused it`);
  return found;
}

export function toOrderMessage(o: Order): OrderMessage {
  return create(OrderSchema, {
    id: o.id,
    checkoutId: o.checkoutId,
    userId: o.userId,
    status: protoByStatus[o.status],
    total: toMoneyProto(o.total),
    totals: toTotalsProto(o.totals),
    items: o.lines.map((l) =>
      create(OrderItemSchema, {
        productId: l.productId,
        name: l.name,
        quantity: l.quantity,
        unitPrice: toMoneyProto(l.unitPrice),
      }),
    ),
    shippingAddress: toShippingAddressProto(o.shippingAddress),
    paymentId: o.paymentId,
    createdAt: timestampFromDate(o.createdAt),
    updatedAt: timestampFromDate(o.updatedAt),
  });
}
