import { invalidArgument } from "@checkout-saga/shared";
import type { StockLine } from "./reservation.js";

export const MAX_LINES = 100;
export const MAX_QUANTITY = 999;
/** A hold longer than this would keep stock from other customers for too long. */
export const MAX_TTL_SECONDS = 3_600;
const MAX_ID_LENGTH = 128;

/** A validated Reserve: lines merged per product and sorted by product id (the stock lock order). */
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
  const checkoutId = requireCheckoutId(input.checkoutId);
  if (input.items.length === 0) throw invalidArgument("INVALID_ARGUMENT", "items must not be empty");
  if (input.items.length > MAX_LINES) {
    throw invalidArgument("INVALID_ARGUMENT", `at most ${MAX_LINES} items per reservation, got ${input.items.length}`);
  }
  for (const item of input.items) {
    requireProductId(item.productId);
    requireQuantity(item.productId, item.quantity);
  }
  const lines = mergeLines(input.items);
  // Each requested line was in range; their sum per product must be too.
  for (const line of lines) requireQuantity(line.productId, line.quantity);
  return { checkoutId, lines, ttlSeconds: reservationTtl(input.ttlSeconds, defaultTtlSeconds) };
}

/** One line per product (quantities added up), sorted by product id. */
export function mergeLines(lines: StockLine[]): StockLine[] {
  const totals = new Map<string, number>();
  for (const { productId, quantity } of lines) totals.set(productId, (totals.get(productId) ?? 0) + quantity);
  return [...totals]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([productId, quantity]) => ({ productId, quantity }));
}

export function requireCheckoutId(checkoutId: string): string {
  if (checkoutId === "") throw invalidArgument("INVALID_ARGUMENT", "checkout_id is required");
  if (checkoutId.length > MAX_ID_LENGTH) {
    throw invalidArgument("INVALID_ARGUMENT", `checkout_id must be at most ${MAX_ID_LENGTH} characters`);
  }
  return checkoutId;
}

function requireProductId(productId: string): void {
  if (productId === "") throw invalidArgument("INVALID_ARGUMENT", "every item needs a product_id");
  if (productId.length > MAX_ID_LENGTH) {
    throw invalidArgument("INVALID_ARGUMENT", `product_id must be at most ${MAX_ID_LENGTH} characters`);
  }
}

function requireQuantity(productId: string, quantity: number): void {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw invalidArgument(
      "INVALID_QUANTITY",
      `quantity of product ${productId} must be within 1..${MAX_QUANTITY}, got ${quantity}`,
      { metadata: { product_id: productId } },
    );
  }
}

function reservationTtl(requested: number, fallback: number): number {
  if (requested === 0) return fallback;
  if (!Number.isInteger(requested) || requested < 1 || requested > MAX_TTL_SECONDS) {
    throw invalidArgument("INVALID_ARGUMENT", `ttl_seconds must be within 1..${MAX_TTL_SECONDS}, got ${requested}`);
  }
  return requested;
}
