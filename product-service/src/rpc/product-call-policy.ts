import { defineCallPolicy } from "@checkout-saga/shared";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";

/** The catalog is about no user: each method is open to the services that read it, and to the developer. */
export const productCallPolicy = defineCallPolicy(ProductService, {
  getProduct: { gateway: "service", developer: "service" },
  // cart-service only probes it for readiness.
  getProducts: { gateway: "service", "cart-service": "service", "checkout-service": "service", developer: "service" },
  listProducts: { gateway: "service", developer: "service" },
  validateProducts: { "cart-service": "service", developer: "service" },
});
