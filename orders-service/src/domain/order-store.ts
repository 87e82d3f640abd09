import type { PagePosition } from "@checkout-saga/shared";
import type { Order, OrderDraft } from "./order.js";
import type { OrderMove } from "./order-status.js";

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
   * Places the order with its lines, its first status-history entry and its OrderStatusChanged
   * event atomically, once per checkout: a second draft for the same checkout creates nothing
   * and reports the existing order.
   */
  place(draft: OrderDraft): Promise<{ orderId: string; created: boolean }>;
  get(id: string): Promise<Order | undefined>;
  /** Whether order `id` exists: one cheap read, where `get` reads the order whole. */
  exists(id: string): Promise<boolean>;
  /** The user's orders, newest first. */
  list(query: OrderQuery): Promise<OrderPage>;
  /**
   * Makes `move` (order-status.ts rules) with its history entry and OrderStatusChanged event in
   * one transaction; the order as it is after, unchanged when it already was where the move
   * leads. Undefined when there is no such order.
   */
  move(id: string, move: OrderMove, by: { actor: string; reason?: string }): Promise<Order | undefined>;
}
