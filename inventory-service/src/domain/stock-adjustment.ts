import { failedPrecondition } from "@checkout-saga/shared";
import type { StockLevel } from "./reservation.js";

/** Units an admin puts on the shelf (negative: takes off), why, and who they are. */
export interface StockAdjustment {
  productId: string;
  adjust: number;
  reason: string;
  /** `user:<id>` for an admin, `service:<identity>` for a service acting for one. */
  actor: string;
  /** The caller's key: a retry with it changes nothing (AdjustStockRequest.adjustment_key). */
  key?: string;
}

/**
 * A retried adjustment, found by its key: the same request changes nothing; the key with
 * another adjustment is refused, naming the product and the key.
 */
export function replayedAdjustment(recorded: { adjust: number; reason: string }, asked: StockAdjustment): void {
  if (recorded.adjust !== asked.adjust || recorded.reason !== asked.reason) {
    throw failedPrecondition(
      "ADJUSTMENT_KEY_REUSED",
      `the key ${asked.key} already adjusted product ${asked.productId} by ${recorded.adjust} ("${recorded.reason}")`,
      { metadata: { product_id: asked.productId, adjustment_key: asked.key ?? "" } },
    );
  }
}

/**
 * The stock after `adjust`, from the locked row (a product without one has none yet). Units on
 * hand (available + reserved) never drop below what is reserved, so at most `available` can be
 * taken off: more is refused naming the product, what was asked and that most.
 */
export function adjustedStock(current: StockLevel, adjust: number): StockLevel {
  const available = current.available + adjust;
  if (available < 0) {
    const onHand = current.available + current.reserved;
    throw failedPrecondition(
      "STOCK_BELOW_RESERVED",
      `taking ${-adjust} units of product ${current.productId} off would leave ${onHand + adjust} on hand, ` +
        `below the ${current.reserved} reserved; at most ${current.available} can be taken off`,
      {
        metadata: { product_id: current.productId, reserved: String(current.reserved) },
        lines: [{ productId: current.productId, requested: -adjust, available: current.available }],
      },
    );
  }
  return { ...current, available };
}
