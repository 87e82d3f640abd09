import { type Logger, type Running, startPeriodicTask } from "@checkout-saga/shared";
import { type CheckoutCommandsDeps, driveLeased, newLeaseOwner } from "./checkout-commands.js";

export interface RecoveryOptions {
  intervalMs: number;
  /** Leave alone checkouts touched more recently than this. */
  graceMs: number;
  /** How long a compensation that needs attention rests between tries. */
  attentionRetryMs: number;
  batchSize?: number;
}

/**
 * Resumes checkouts whose driver died: on start and every interval, claims unfinished
 * (non-step-mode) checkouts whose lease is free or expired and drives them to their end —
 * forward when that is safe, compensation when it already began. The lease makes sure two
 * instances never drive the same checkout.
 */
export function startCheckoutRecovery(
  deps: Pick<CheckoutCommandsDeps, "store" | "saga" | "encodeResponse"> & { logger: Logger },
  options: RecoveryOptions,
): Running {
  const { store, logger } = deps;

  async function recoverOnce(stopping: AbortSignal): Promise<void> {
    const ids = await store.findRecoverable({
      graceMs: options.graceMs,
      attentionRetryMs: options.attentionRetryMs,
      limit: options.batchSize ?? 50,
    });
    for (const checkoutId of ids) {
      if (stopping.aborted) return;
      const owner = newLeaseOwner();
      if (!(await store.claimLease(checkoutId, owner))) continue; // another instance got there first
      try {
        const session = await driveLeased(deps, checkoutId, owner, Number.POSITIVE_INFINITY);
        logger.info({ checkoutId, status: session.status }, "recovered checkout");
      } catch (err) {
        logger.error({ err, checkoutId }, "recovering a checkout failed; it will be retried");
      }
    }
  }

  return startPeriodicTask(recoverOnce, {
    intervalMs: options.intervalMs,
    onError: (err) => logger.error({ err }, "checkout recovery pass failed"),
  });
}
