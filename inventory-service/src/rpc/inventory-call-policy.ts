import { defineCallPolicy } from "@checkout-saga/shared";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";

/**
 * Stock is about no user. Anyone of the system may read it; only the checkout saga (and the
 * developer) holds and lets go of it, and only the order cancellation saga puts sold units back.
 * Admins adjust it by hand; the product service adjusts it for a product an admin is creating
 * (it checked the admin role itself, and the new product's first stock is its part of that call).
 */
export const inventoryCallPolicy = defineCallPolicy(InventoryService, {
  getStock: { gateway: "service", "checkout-service": "service", developer: "service" },
  reserve: { "checkout-service": "service", developer: "service" },
  confirm: { "checkout-service": "service", developer: "service" },
  release: { "checkout-service": "service", developer: "service" },
  returnStock: { "orders-service": "service", developer: "service" },
  adjustStock: { gateway: "admin", developer: "admin", "product-service": "service" },
});
