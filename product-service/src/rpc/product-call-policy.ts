import { defineCallPolicy } from "@checkout-saga/shared";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";

/**
 * Reading the catalog is about no user: open to the services that read it, and to the developer.
 * Changing it is for admins only (the gateway's admin routes, or the developer by hand).
 */
export const productCallPolicy = defineCallPolicy(ProductService, {
  getProduct: { gateway: "service", developer: "service" },
  // cart-service only probes it for readiness.
  getProducts: { gateway: "service", "cart-service": "service", "checkout-service": "service", developer: "service" },
  listProducts: { gateway: "service", developer: "service" },
  validateProducts: { "cart-service": "service", developer: "service" },
  createProduct: { gateway: "admin", developer: "admin" },
  updateProduct: { gateway: "admin", developer: "admin" },
});
