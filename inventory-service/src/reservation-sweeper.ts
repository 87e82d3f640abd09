import type { Logger, Running } from "@checkout-saga/shared";
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
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const sweep = async () => {
    try {
      let expired = 0;
      while (!stopped) {
        const count = await inventory.expireDue(batchSize);
        expired += count;
        if (count < batchSize) break;
      }
      if (expired > 0) logger.info({ expired }, "expired held reservations");
    } catch (err) {
      // The next run retries; a database hiccup must not stop expiry for good.
      logger.error({ err }, "reservation sweep failed");
    }
  };
  const schedule = () => {
    timer = setTimeout(() => {
      running = sweep().then(() => {
        if (!stopped) schedule();
      });
    }, intervalMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
