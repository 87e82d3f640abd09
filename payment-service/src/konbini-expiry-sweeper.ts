import { type Logger, type Running, startExpirySweep } from "@checkout-saga/shared";
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
  return startExpirySweep({
    what: "unpaid konbini vouchers",
    expireBatch: (n) => payments.expirePastDue(n),
    intervalMs,
    batchSize,
    logger,
  });
}
