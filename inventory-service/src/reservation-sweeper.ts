import { type Logger, type Running, startPeriodicTask } from "@checkout-saga/shared";
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
  return startPeriodicTask(
    async (stopping) => {
      let expired = 0;
      while (!stopping.aborted) {
        const count = await inventory.expireDue(batchSize);
        expired += count;
        if (count < batchSize) break;
      }
      if (expired > 0) logger.info({ expired }, "expired held reservations");
    },
    {
      intervalMs,
      // Holds live minutes; the first sweep can wait an interval like every other.
      firstRunAfterMs: intervalMs,
      // The next run retries; a database hiccup must not stop expiry for good.
      onError: (err) => logger.error({ err }, "reservation sweep failed"),
    },
  );
}
