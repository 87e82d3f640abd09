import { createServiceClient } from "@checkout-saga/shared";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import type { Transport } from "@connectrpc/connect";
import type { StockReturnPort } from "../cancellation/ports.js";

/** InventoryService.ReturnStock over Connect, each call with its own deadline. */
export function createInventoryClient(transport: Transport, timeoutMs: number): StockReturnPort {
  const client = createServiceClient(InventoryService, transport);
  return {
    async returnStock({ checkoutId, returnKey, lines, reason }) {
      await client.returnStock({ checkoutId, returnKey, items: lines, reason }, { timeoutMs });
    },
  };
}
