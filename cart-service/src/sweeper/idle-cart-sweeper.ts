import { type Logger, type Running, startPeriodicTask } from "@checkout-saga/shared";
import type { CartStore } from "../store/cart-store.js";

/** How often idle carts are looked for. */
export const SWEEP_INTERVAL_MS = 3_600_000;

/**
 * Deletes carts not written for `idleMs`, once at start and then every `intervalMs`. A failed
 * sweep is logged and tried again next time. `stop` waits for a sweep in progress.
 */
export function startIdleCartSweeper(deps: {
  store: CartStore;
  idleMs: number;
  intervalMs: number;
  now: () => Date;
  logger: Logger;
}): Running {
  const { store, idleMs, intervalMs, now, logger } = deps;
  return startPeriodicTask(
    async () => {
      const cutoff = new Date(now().getTime() - idleMs);
      const deleted = await store.deleteIdleBefore(cutoff);
      if (deleted > 0) logger.info({ deleted, cutoff }, "idle carts deleted");
    },
    { intervalMs, onError: (err) => logger.error({ err }, "idle cart sweep failed") },
  );
}
