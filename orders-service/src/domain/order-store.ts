import type { PagePosition } from "@checkout-saga/shared";
import type { Order, OrderDraft, OrderStatus } from "./order.js";

export interface OrderQuery {
  userId: string;
  /** Only the order placed from this checkout. */
  checkoutId?: string;
  limit: number;
  after?: PagePosition;
}

export interface OrderPage {
  orders: Order[];
  /** Undefined on the last page. */
  next?: PagePosition;
}

/** Where orders live, whatever stores them. */
export interface OrderStore {
  /**
   * Places the order with its lines atomically, once per checkout: a second draft for the same
   * checkout creates nothing and reports the existing order.
   */
  place(draft: OrderDraft): Promise<{ orderId: string; created: boolean }>;
  get(id: string): Promise<Order | undefined>;
  /** The user's orders, newest first. */
  list(query: OrderQuery): Promise<OrderPage>;
  /** Moves an order to `status` if its rules allow; undefined when there is no such order. */
  updateStatus(id: string, status: OrderStatus): Promise<Order | undefined>;
}
