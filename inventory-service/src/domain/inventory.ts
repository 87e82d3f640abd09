import type { Reservation, StockLevel } from "./reservation.js";
import type { ReserveCommand } from "./reserve-request.js";
import type { StockAdjustment } from "./stock-adjustment.js";
import type { ReturnCommand, StockReturn } from "./stock-return.js";

/**
 * Stock and reservations, whatever stores them. Every method is safe to call concurrently and
 * to repeat: each status change happens once, under a lock on the reservation.
 */
export interface Inventory {
  /**
   * Holds every line or none (OUT_OF_STOCK naming the short lines). A checkout that already has a
   * reservation gets it back unchanged, whatever its status.
   */
  reserve(command: ReserveCommand): Promise<Reservation>;
  /** Turns held stock into sold stock (see decideConfirm). */
  confirm(checkoutId: string): Promise<Reservation>;
  /**
   * Gives held stock back (see decideRelease). A checkout with no reservation yet gets a
   * RELEASED one with no lines, so a Reserve arriving later holds nothing.
   */
  release(checkoutId: string, reason: string): Promise<Reservation>;
  /**
   * Puts sold units of a CONFIRMED reservation back in available stock, once per key (see
   * decideReturn); answers the return and the reservation as it now stands.
   */
  returnStock(command: ReturnCommand): Promise<{ stockReturn: StockReturn; reservation: Reservation }>;
  /** Puts units on or takes them off the shelf, never below what is reserved (see adjustedStock); records it. */
  adjustStock(adjustment: StockAdjustment): Promise<StockLevel>;
  /** Stock of the given products (unknown ones omitted), or of every product when none are given. */
  getStock(productIds: string[]): Promise<StockLevel[]>;
  /** Expires up to `limit` held reservations past their expiry, giving their stock back; returns how many. */
  expireDue(limit: number): Promise<number>;
}
