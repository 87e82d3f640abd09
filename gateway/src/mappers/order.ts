import { type Order, OrderStatus } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { type AddressJson, addressJson } from "./address.js";
import { isoTime, type MoneyJson, moneyJson } from "./json.js";

export interface OrderJson {
  id: string;
  checkout_id: string;
  status: string;
  total: MoneyJson;
  items: Array<{ product_id: string; name: string; quantity: number; unit_price: MoneyJson }>;
  shipping_address: AddressJson | null;
  created_at: string | null;
  updated_at: string | null;
}

export function orderJson(o: Order): OrderJson {
  return {
    id: o.id,
    checkout_id: o.checkoutId,
    status: OrderStatus[o.status] ?? "UNSPECIFIED",
    total: moneyJson(o.total),
    items: o.items.map((i) => ({
      product_id: i.productId,
      name: i.name,
      quantity: i.quantity,
      unit_price: moneyJson(i.unitPrice),
    })),
    shipping_address: o.shippingAddress ? addressJson(o.shippingAddress) : null,
    created_at: isoTime(o.createdAt),
    updated_at: isoTime(o.updatedAt),
  };
}
