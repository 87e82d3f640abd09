import { createServiceClient, createServiceTransport, type ServiceTransportFactory } from "@checkout-saga/shared";
import { CartService } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { CheckoutService } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import { OrdersService } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { PointsService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { Client, Interceptor } from "@connectrpc/connect";
import type { GatewayConfig } from "./config.js";

/** The Connect services the gateway fronts. Tests build these on createRouterTransport. */
export interface GatewayClients {
  product: Client<typeof ProductService>;
  cart: Client<typeof CartService>;
  inventory: Client<typeof InventoryService>;
  checkout: Client<typeof CheckoutService>;
  orders: Client<typeof OrdersService>;
}

/**
 * Clients over the network (one HTTP/2 session per service), or in process in embedded mode;
 * every call with the gateway's service credential when it has a key (`credentials`: its
 * client interceptors).
 */
export function createGatewayClients(
  urls: GatewayConfig["serviceUrls"],
  base: ServiceTransportFactory = createServiceTransport,
  credentials: Interceptor[] = [],
): GatewayClients {
  const transport = (url: string) => base(url, credentials);
  return {
    product: createServiceClient(ProductService, transport(urls.product)),
    cart: createServiceClient(CartService, transport(urls.cart)),
    inventory: createServiceClient(InventoryService, transport(urls.inventory)),
    checkout: createServiceClient(CheckoutService, transport(urls.checkout)),
    orders: createServiceClient(OrdersService, transport(urls.orders)),
  };
}

/** What the gateway calls of the payment service, on one transport: the dev pay route's PaymentService and GET /points' PointsService. */
export interface PaymentServiceClients {
  payments: Client<typeof PaymentService>;
  points: Client<typeof PointsService>;
}

export function createPaymentServiceClients(
  url: string,
  base: ServiceTransportFactory = createServiceTransport,
  credentials: Interceptor[] = [],
): PaymentServiceClients {
  const transport = base(url, credentials);
  return {
    payments: createServiceClient(PaymentService, transport),
    points: createServiceClient(PointsService, transport),
  };
}
