import { randomUUID } from "node:crypto";
import type { Running } from "../lifecycle.js";
import type { LogContext } from "../log-context.js";
import type { Logger } from "../logger.js";
import { startPeriodicTask } from "../periodic-task.js";

/** A new, unique lease owner: one per drive, so a lease names exactly the driver holding it. */
export const newLeaseOwner = (): string => `driver-${randomUUID()}`;

export interface SagaRecoveryOptions {
  intervalMs: number;
  /** Leave alone instances touched more recently than this (their driver may still be at work). */
  graceMs: number;
  /** How long an instance flagged as needing attention rests between tries. */
  attentionRetryMs: number;
  batchSize?: number;
}

/** What recovery needs from a saga's storage: which instances to pick up, and their leases. */
export interface RecoverableSagas {
  findRecoverable(query: { graceMs: number; attentionRetryMs: number; limit: number }): Promise<string[]>;
  claimLease(id: string, owner: string): Promise<boolean>;
}

/**
 * Picks up the instances of a saga whose driver died, or whose step or compensation kept failing:
 * on start and every interval, claims unfinished ones whose lease is free or expired and drives
 * them on (`drive` releases the lease). The lease makes sure two instances of the service never
 * drive the same one; a flagged one is retried after its rest, never dropped.
 */
export function startSagaRecovery(
  deps: {
    /** What the saga's instances are called in logs: "checkout", "cancellation". */
    name: string;
    /** The log-context field naming an instance. */
    idField: keyof LogContext;
    store: RecoverableSagas;
    drive(id: string, owner: string): Promise<{ status: string }>;
    logger: Logger;
  },
  options: SagaRecoveryOptions,
): Running {
  const { name, idField, store, logger } = deps;

  async function recoverOnce(stopping: AbortSignal): Promise<void> {
    const ids = await store.findRecoverable({
      graceMs: options.graceMs,
      attentionRetryMs: options.attentionRetryMs,
      limit: options.batchSize ?? 50,
    });
    for (const id of ids) {
      if (stopping.aborted) return;
      const owner = newLeaseOwner();
      if (!(await store.claimLease(id, owner))) continue; // another instance got there first
      try {
        const driven = await deps.drive(id, owner);
        logger.info({ [idField]: id, status: driven.status }, `recovered ${name}`);
      } catch (err) {
        logger.error({ err, [idField]: id }, `recovering a ${name} failed; it will be retried`);
      }
    }
  }

  return startPeriodicTask(recoverOnce, {
    intervalMs: options.intervalMs,
    onError: (err) => logger.error({ err }, `${name} recovery pass failed`),
  });
}
