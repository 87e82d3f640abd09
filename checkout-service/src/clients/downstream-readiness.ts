import {
  createServiceClient,
  type ReadinessCheck,
  rpcReadiness,
  type ServiceTransportFactory,
} from "@checkout-saga/shared";
import { CartService } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import type { CheckoutConfig } from "../config.js";

/**
 * Readiness checks of the services a checkout cannot do without, each through its cheapest
 * call: an empty lookup, or a request refused before any storage is touched. On their own
 * transports, outside the saga's circuit breakers: a probe neither trips nor waits on them. With
 * the service's credential: a downstream refusing it (UNAUTHENTICATED) is not ready for us.
 */
export function downstreamReadiness(
  urls: Pick<CheckoutConfig, "cartUrl" | "productUrl" | "inventoryUrl" | "paymentUrl">,
  transport: ServiceTransportFactory,
): Record<string, ReadinessCheck> {
  const cart = createServiceClient(CartService, transport(urls.cartUrl));
  const product = createServiceClient(ProductService, transport(urls.productUrl));
  const inventory = createServiceClient(InventoryService, transport(urls.inventoryUrl));
  const payment = createServiceClient(PaymentService, transport(urls.paymentUrl));
  const critical = { critical: true };
  return {
    "cart-service": rpcReadiness((o) => cart.getCart({ userId: "" }, o), critical),
    "product-service": rpcReadiness((o) => product.getProducts({ ids: [] }, o), critical),
    "inventory-service": rpcReadiness((o) => inventory.getStock({ productIds: [] }, o), critical),
    "payment-service": rpcReadiness((o) => payment.getPayment({}, o), critical),
  };
}
