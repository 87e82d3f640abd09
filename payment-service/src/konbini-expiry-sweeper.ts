import { type Logger, type Running, startPeriodicTask } from "@checkout-saga/shared";
import type { Payments } from "./domain/payments.js";

export interface KonbiniExpirySweeperOptions {
  payments: Pick<Payments, "expirePastDue">;
  intervalMs: number;
  logger: Logger;
  /** Payments expired per transaction; small batches keep row locks short. */
  batchSize?: number;
}

/**
 * Enforces konbini expiry without waiting for anyone to ask: every `intervalMs` it moves PENDING
 * payments past their expiry to EXPIRED, each with its `payment.expired` webhook, by the very
 * rule a read applies (Payments.get expires a past-due payment it finds), so the two agree.
 * Several instances can sweep at once: each skips payments another has locked.
 */
export function startKonbiniExpirySweeper(options: KonbiniExpirySweeperOptions): Running {
  const { payments, intervalMs, logger, batchSize = 50 } = options;
  return startPeriodicTask(
    async (stopping) => {
      let expired = 0;
      while (!stopping.aborted) {
        const count = await payments.expirePastDue(batchSize);
        expired += count;
        if (count < batchSize) break;
      }
      if (expired > 0) logger.info({ expired }, "expired unpaid konbini vouchers");
    },
    {
      intervalMs,
      // The next run retries; a database hiccup must not stop expiry for good.
      onError: (err) => logger.error({ err }, "konbini expiry sweep failed"),
    },
  );
}
