/** A product and how many of it. */
export interface StockLine {
  productId: string;
  quantity: number;
}

/**
 * HELD stock is set aside for one checkout; it ends CONFIRMED (sold), RELEASED (given back on
 * request) or EXPIRED (given back because nobody confirmed it in time).
 */
export type ReservationStatus = "HELD" | "CONFIRMED" | "RELEASED" | "EXPIRED";

/** Stock held for one checkout; there is at most one per checkout id. */
export interface Reservation {
  id: string;
  checkoutId: string;
  status: ReservationStatus;
  /** Sorted by product id, one line per product. */
  lines: StockLine[];
  /**
   * Of a CONFIRMED reservation: units of its lines put back in stock since (ReturnStock), sorted by
   * product id; a line with none returned is left out. Never more than the line sold.
   */
  returned: StockLine[];
  expiresAt: Date;
}

/** A product's stock: `available` can be reserved, `reserved` is held by reservations. */
export interface StockLevel {
  productId: string;
  available: number;
  reserved: number;
}
