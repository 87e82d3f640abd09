import { type Logger, type Running, startExpirySweep } from "@checkout-saga/shared";
import type { Inventory } from "./domain/inventory.js";

export interface ReservationSweeperOptions {
  inventory: Pick<Inventory, "expireDue">;
  intervalMs: number;
  logger: Logger;
  /** Reservations expired per transaction; small batches keep row locks short. */
  batchSize?: number;
}

/**
 * Gives back the stock of held reservations nobody confirmed or released in time. Runs every
 * `intervalMs` (the next run is scheduled after the previous one ends, so runs never overlap);
 * several instances can sweep at once because each skips rows another has locked.
 */
export function startReservationSweeper(options: ReservationSweeperOptions): Running {
  const { inventory, intervalMs, logger, batchSize = 50 } = options;
  return startExpirySweep({
    what: "held reservations",
    expireBatch: (n) => inventory.expireDue(n),
    intervalMs,
    // Holds live minutes; the first sweep can wait an interval like every other.
    firstRunAfterMs: intervalMs,
    batchSize,
    logger,
  });
}
