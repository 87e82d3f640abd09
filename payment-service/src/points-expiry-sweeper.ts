import { type Logger, type Running, startExpirySweep } from "@checkout-saga/shared";
import type { PointsLedger } from "./domain/points.js";

export interface PointsExpirySweeperOptions {
  points: Pick<PointsLedger, "expireLots">;
  intervalMs: number;
  logger: Logger;
  /** Lots looked at per round; each is expired in a transaction of its own, under its user's lock. */
  batchSize?: number;
}

/**
 * Takes lots past their expiry out of the balance, each with an `expired` history entry of what
 * it still held. Reads already leave expired lots out of the balance; the sweep writes it down.
 * Several instances can sweep at once: each lot is re-read under its user's lock, so only the
 * first finds points to expire.
 */
export function startPointsExpirySweeper(options: PointsExpirySweeperOptions): Running {
  const { points, intervalMs, logger, batchSize = 100 } = options;
  return startExpirySweep({
    what: "points lots",
    expireBatch: (n) => points.expireLots(n),
    intervalMs,
    batchSize,
    logger,
  });
}
