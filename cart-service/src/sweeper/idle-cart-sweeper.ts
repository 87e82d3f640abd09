import type { Logger, Running } from "@checkout-saga/shared";
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
  let sweeping: Promise<void> | undefined;

  const sweep = () => {
    // A sweep slower than the interval is not doubled up.
    if (sweeping) return;
    sweeping = (async () => {
      const cutoff = new Date(now().getTime() - idleMs);
      try {
        const deleted = await store.deleteIdleBefore(cutoff);
        if (deleted > 0) logger.info({ deleted, cutoff }, "idle carts deleted");
      } catch (err) {
        logger.error({ err, cutoff }, "idle cart sweep failed");
      }
    })().finally(() => {
      sweeping = undefined;
    });
  };

  sweep();
  const timer = setInterval(sweep, intervalMs);
  timer.unref();

  return {
    async stop() {
      clearInterval(timer);
      await sweeping;
    },
  };
}
