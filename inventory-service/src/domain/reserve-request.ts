import { invalidArgument } from "@checkout-saga/shared";
import type { StockLine } from "./reservation.js";

/**
 * What one reservation line may hold once its product's lines are added up. Each requested
 * line is within 1..999 already (the request's field rule, inventory.proto); so must their sum.
 */
export const MAX_QUANTITY = 999;
/** Konbini vouchers last up to 60 days, plus a margin; longer would keep stock from other customers for no payment (also the request's rule). */
export const MAX_TTL_SECONDS = 62 * 24 * 3_600;

/** A Reserve the stock can act on: lines merged per product and sorted by product id (the stock lock order). */
export interface ReserveCommand {
  checkoutId: string;
  lines: StockLine[];
  ttlSeconds: number;
}

export interface ReserveInput {
  checkoutId: string;
  items: StockLine[];
  /** 0 means the service default. */
  ttlSeconds: number;
}

export function parseReserveCommand(input: ReserveInput, defaultTtlSeconds: number): ReserveCommand {
  const lines = mergeLines(input.items);
  for (const line of lines) {
    if (line.quantity > MAX_QUANTITY) {
      throw invalidArgument(
        "INVALID_QUANTITY",
        `product ${line.productId} adds up to ${line.quantity} units; at most ${MAX_QUANTITY} per reservation line`,
        { metadata: { product_id: line.productId } },
      );
    }
  }
  return {
    checkoutId: input.checkoutId,
    lines,
    ttlSeconds: input.ttlSeconds === 0 ? defaultTtlSeconds : input.ttlSeconds,
  };
}

/** One line per product (quantities added up), sorted by product id. */
export function mergeLines(lines: StockLine[]): StockLine[] {
  const totals = new Map<string, number>();
  for (const { productId, quantity } of lines) totals.set(productId, (totals.get(productId) ?? 0) + quantity);
  return [...totals]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([productId, quantity]) => ({ productId, quantity }));
}
