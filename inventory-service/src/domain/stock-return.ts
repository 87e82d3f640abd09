import { failedPrecondition } from "@checkout-saga/shared";
import type { Reservation, StockLine } from "./reservation.js";
import { mergeLines } from "./reserve-request.js";
import type { Shortage } from "./stock-shortage.js";

/** Sold units put back in stock, once per key (an order line cancelled after the sale). */
export interface StockReturn {
  /** The caller's name for it, unique across all returns (e.g. a cancellation id). */
  key: string;
  checkoutId: string;
  /** One line per product, sorted by product id. */
  lines: StockLine[];
  reason: string;
  createdAt: Date;
}

/** A ReturnStock the stock can act on: lines merged per product and sorted by product id (the stock lock order). */
export interface ReturnCommand {
  key: string;
  checkoutId: string;
  lines: StockLine[];
  reason: string;
}

export function parseReturnCommand(input: ReturnCommand): ReturnCommand {
  return { ...input, lines: mergeLines(input.lines), reason: input.reason.trim() };
}

/**
 * A retry of `earlier`, the return already stored under the command's key: answered with it, so a
 * retry never counts twice. The key used for another checkout or other lines is refused.
 */
export function sameReturn(earlier: StockReturn, command: ReturnCommand): StockReturn {
  if (earlier.checkoutId !== command.checkoutId || !sameLines(earlier.lines, command.lines)) {
    throw failedPrecondition("RETURN_KEY_REUSED", `return_key ${command.key} was already used for another return`, {
      metadata: { return_key: command.key, checkout_id: earlier.checkoutId },
    });
  }
  return earlier;
}

/**
 * Refuses a new return unless the reservation sold (CONFIRMED) every unit asked for and has not
 * had it back yet, so no line ever gives back more than it sold, across all its returns.
 */
export function checkReturnable(reservation: Reservation, lines: StockLine[]): void {
  if (reservation.status !== "CONFIRMED") {
    throw failedPrecondition(
      "RESERVATION_NOT_CONFIRMED",
      `the reservation of checkout ${reservation.checkoutId} is ${reservation.status}; it sold nothing to return`,
      { metadata: { checkout_id: reservation.checkoutId, status: reservation.status } },
    );
  }
  const excess = findExcess(reservation, lines);
  if (excess.length > 0) {
    const ids = excess.map((e) => e.productId).join(", ");
    throw failedPrecondition(
      "RETURN_EXCEEDS_SOLD",
      `checkout ${reservation.checkoutId} has fewer sold units left to return of product(s) ${ids}`,
      { metadata: { checkout_id: reservation.checkoutId }, lines: excess },
    );
  }
}

/** Lines asking back more than their reservation line sold and has not had back; `available` is what it still may. */
function findExcess(reservation: Reservation, lines: StockLine[]): Shortage[] {
  return lines.flatMap(({ productId, quantity }) => {
    const left = returnable(reservation, productId);
    return quantity > left ? [{ productId, requested: quantity, available: left }] : [];
  });
}

/** Units of a product the reservation sold and has not yet had back. */
function returnable(reservation: Reservation, productId: string): number {
  const sold = reservation.lines.find((l) => l.productId === productId)?.quantity ?? 0;
  const returned = reservation.returned.find((l) => l.productId === productId)?.quantity ?? 0;
  return sold - returned;
}

/** The reservation once `lines` came back: `returned` grows by them. */
export function withReturned(reservation: Reservation, lines: StockLine[]): Reservation {
  return { ...reservation, returned: mergeLines([...reservation.returned, ...lines]) };
}

const sameLines = (a: StockLine[], b: StockLine[]) =>
  a.length === b.length && a.every((l, i) => l.productId === b[i]?.productId && l.quantity === b[i]?.quantity);
