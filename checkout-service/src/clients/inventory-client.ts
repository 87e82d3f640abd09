import { create } from "@bufbuild/protobuf";
import { createServiceClient, createServiceTransport } from "@checkout-saga/shared";
import { LineQuantitySchema } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import type { Interceptor } from "@connectrpc/connect";
import type { InventoryPort } from "../saga/ports.js";

/** InventoryService over Connect, each call with its own deadline. */
export function createInventoryClient(
  baseUrl: string,
  timeoutMs: number,
  interceptors: Interceptor[] = [],
): InventoryPort {
  const client = createServiceClient(InventoryService, createServiceTransport(baseUrl, interceptors));
  return {
    async reserve(checkoutId, lines) {
      const res = await client.reserve(
        { checkoutId, items: lines.map((l) => create(LineQuantitySchema, l)) },
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
