import { type Logger, type Running, startPeriodicTask } from "@checkout-saga/shared";
import { type CancellationCommandsDeps, driveLeased, newLeaseOwner } from "./cancellation-commands.js";

export interface CancellationRecoveryOptions {
  intervalMs: number;
  /** Leave alone cancellations touched more recently than this. */
  graceMs: number;
  /** How long a cancellation flagged as needing attention rests between tries. */
  attentionRetryMs: number;
  batchSize?: number;
}

/**
 * Finishes cancellations whose driver died or whose step kept failing: on start and every
 * interval, claims unfinished ones whose lease is free or expired and drives them on. The lease
 * makes sure two instances never drive the same cancellation; a flagged one is retried, never dropped.
 */
export function startCancellationRecovery(
  deps: Pick<CancellationCommandsDeps, "store" | "saga"> & { logger: Logger },
  options: CancellationRecoveryOptions,
): Running {
  const { store, logger } = deps;

  async function recoverOnce(stopping: AbortSignal): Promise<void> {
    const ids = await store.findRecoverable({
      graceMs: options.graceMs,
      attentionRetryMs: options.attentionRetryMs,
      limit: options.batchSize ?? 50,
    });
    for (const cancellationId of ids) {
      if (stopping.aborted) return;
      const owner = newLeaseOwner();
      if (!(await store.claimLease(cancellationId, owner))) continue; // another instance got there first
      try {
        const driven = await driveLeased(deps, cancellationId, owner);
        logger.info({ cancellationId, status: driven.status }, "recovered cancellation");
      } catch (err) {
        logger.error({ err, cancellationId }, "recovering a cancellation failed; it will be retried");
      }
    }
  }

  return startPeriodicTask(recoverOnce, {
    intervalMs: options.intervalMs,
    onError: (err) => logger.error({ err }, "cancellation recovery pass failed"),
  });
}
