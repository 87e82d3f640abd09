import { type DomainError, failedPrecondition } from "@checkout-saga/shared";
import type { StockLine } from "./reservation.js";

/** A line that cannot be reserved: what was asked for and what there is. */
export interface Shortage {
  productId: string;
  requested: number;
  available: number;
}

/** Every line asking for more than is available; a product without stock counts as 0 available. */
export function findShortages(lines: StockLine[], available: ReadonlyMap<string, number>): Shortage[] {
  return lines.flatMap(({ productId, quantity }) => {
    const have = available.get(productId) ?? 0;
    return quantity > have ? [{ productId, requested: quantity, available: have }] : [];
  });
}

/** The error the saga turns into "not enough stock", naming every short line. */
export function outOfStock(shortages: Shortage[]): DomainError {
  const ids = shortages.map((s) => s.productId).join(", ");
  return failedPrecondition("OUT_OF_STOCK", `not enough stock for product(s) ${ids}`, { lines: shortages });
}
