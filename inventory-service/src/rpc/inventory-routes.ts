import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { callActor, type Logger } from "@checkout-saga/shared";
import { LineQuantitySchema } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import {
  InventoryService,
  type Reservation as ReservationMessage,
  ReservationSchema,
  ReservationStatus as ReservationStatusMessage,
  type StockReturn as StockReturnMessage,
  StockReturnSchema,
  StockSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import type { ConnectRouter } from "@connectrpc/connect";

import type { Inventory } from "../domain/inventory.js";
import type { Reservation, ReservationStatus } from "../domain/reservation.js";
import { parseReserveCommand } from "../domain/reserve-request.js";
import { parseReturnCommand, type StockReturn } from "../domain/stock-return.js";

export interface InventoryRoutesOptions {
  /** Hold duration when a Reserve asks for 0 seconds. */
  defaultTtlSeconds: number;
  /** Every stock adjustment is logged with who made it. */
  logger: Logger;
}

export function inventoryRoutes(inventory: Inventory, options: InventoryRoutesOptions) {
  return (router: ConnectRouter) =>
    router.service(InventoryService, {
      async getStock(req) {
        const levels = await inventory.getStock([...new Set(req.productIds)]);
        return { stocks: levels.map((s) => create(StockSchema, s)) };
      },
      async reserve(req) {
        const command = parseReserveCommand(
          {
            checkoutId: req.checkoutId,
            items: req.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
            ttlSeconds: req.ttlSeconds,
          },
          options.defaultTtlSeconds,
        );
        return { reservation: toMessage(await inventory.reserve(command)) };
      },
      async confirm(req) {
        return { reservation: toMessage(await inventory.confirm(req.checkoutId)) };
      },
      async release(req) {
        const reservation = await inventory.release(req.checkoutId, req.reason);
        return { reservation: reservation && toMessage(reservation) };
      },
      async returnStock(req) {
        const { stockReturn, reservation } = await inventory.returnStock(
          parseReturnCommand({
            key: req.returnKey,
            checkoutId: req.checkoutId,
            lines: req.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
            reason: req.reason,
          }),
        );
        return { stockReturn: toReturnMessage(stockReturn), reservation: toMessage(reservation) };
      },
      async adjustStock(req, ctx) {
        const actor = callActor(ctx);
        const stock = await inventory.adjustStock({
          productId: req.productId,
          adjust: req.adjust,
          reason: req.reason,
          actor,
          ...(req.adjustmentKey === "" ? {} : { key: req.adjustmentKey }),
        });
        options.logger.info(
          { productId: req.productId, adjust: req.adjust, reason: req.reason, actor, stock },
          "stock adjusted by %s",
          actor,
        );
        return { stock: create(StockSchema, stock) };
      },
    });
}

const statusMessage: Record<ReservationStatus, ReservationStatusMessage> = {
  HELD: ReservationStatusMessage.HELD,
  CONFIRMED: ReservationStatusMessage.CONFIRMED,
  RELEASED: ReservationStatusMessage.RELEASED,
  EXPIRED: ReservationStatusMessage.EXPIRED,
};

function toMessage(r: Reservation): ReservationMessage {
  return create(ReservationSchema, {
    reservationId: r.id,
    checkoutId: r.checkoutId,
    status: statusMessage[r.status],
    items: r.lines.map((l) => create(LineQuantitySchema, l)),
    expiresAt: timestampFromDate(r.expiresAt),
    returned: r.returned.map((l) => create(LineQuantitySchema, l)),
  });
}

function toReturnMessage(r: StockReturn): StockReturnMessage {
  return create(StockReturnSchema, {
    returnKey: r.key,
    checkoutId: r.checkoutId,
    items: r.lines.map((l) => create(LineQuantitySchema, l)),
    reason: r.reason,
    createdAt: timestampFromDate(r.createdAt),
  });
}
