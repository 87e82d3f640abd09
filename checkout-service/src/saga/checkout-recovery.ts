import type { Logger, Running } from "@checkout-saga/shared";
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
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let pass: Promise<void> = Promise.resolve();

  async function recoverOnce(): Promise<void> {
    const ids = await store.findRecoverable({
      graceMs: options.graceMs,
      attentionRetryMs: options.attentionRetryMs,
      limit: options.batchSize ?? 50,
    });
    for (const checkoutId of ids) {
      if (stopped) return;
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

  function schedule(delayMs: number) {
    timer = setTimeout(() => {
      pass = recoverOnce()
        .catch((err) => logger.error({ err }, "checkout recovery pass failed"))
        .finally(() => {
          if (!stopped) schedule(options.intervalMs);
        });
    }, delayMs);
  }

  schedule(0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await pass;
    },
  };
}
