import { create } from "@bufbuild/protobuf";
import { createServiceClient } from "@checkout-saga/shared";
import { LineQuantitySchema } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import type { Transport } from "@connectrpc/connect";
import type { InventoryPort } from "../saga/ports.js";

/** InventoryService over Connect, each call with its own deadline. */
export function createInventoryClient(transport: Transport, timeoutMs: number): InventoryPort {
  const client = createServiceClient(InventoryService, transport);
  return {
    async reserve(checkoutId, lines, ttlSeconds) {
      const res = await client.reserve(
        { checkoutId, items: lines.map((l) => create(LineQuantitySchema, l)), ttlSeconds },
        { timeoutMs },
      );
      if (!res.reservation) throw new Error("Reserve answered without a reservation");
      return { reservationId: res.reservation.reservationId };
    },
    async confirm(checkoutId) {
      await client.confirm({ checkoutId }, { timeoutMs });
    },
    async release(checkoutId, reason) {
      await client.release({ checkoutId, reason }, { timeoutMs });
    },
  };
}
