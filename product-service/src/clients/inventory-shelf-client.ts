import { createServiceClient, DomainError } from "@checkout-saga/shared";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import type { Transport } from "@connectrpc/connect";
import type { ShelfStock } from "../domain/catalog-admin.js";

/** A new product's stock, set through the inventory service's AdjustStock. */
export function createInventoryShelfClient(transport: Transport): ShelfStock {
  const client = createServiceClient(InventoryService, transport);
  return {
    async add(productId, units, reason) {
      try {
        // Keyed by the new product: a call retried after a lost answer does not add the units twice.
        await client.adjustStock({ productId, adjust: units, reason, adjustmentKey: `new-product:${productId}` });
      } catch (err) {
        // The admin cannot fix this, but may retry: nothing was added to the catalog.
        throw new DomainError(
          "unavailable",
          "INVENTORY_SERVICE_UNAVAILABLE",
          "the new product's stock could not be set in the inventory service; nothing was added to the catalog",
          {},
          { cause: err },
        );
      }
    },
  };
}
