export { loadOrdersConfig, type OrdersConfig } from "./config.js";
export type {
  Order,
  OrderCancellation,
  OrderLine,
  OrderStatus,
  PlacedOrderLine,
  ShippingAddress,
  StatusChange,
} from "./domain/order.js";
export type { OrderMove } from "./domain/order-status.js";
export type { OrderStore } from "./domain/order-store.js";
export { createOrderFromCheckoutHandler } from "./events/create-order-from-checkout.js";
export { ORDERS_CONSUMER_GROUP, type OrdersService, startOrdersService } from "./service.js";
export { migrateOrdersDatabase } from "./store/migrate-orders-database.js";
export { createPostgresOrderStore } from "./store/postgres-order-store.js";
