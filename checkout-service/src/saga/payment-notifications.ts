import { setTimeout as sleep } from "node:timers/promises";
import { DomainError, isUuid, type Logger, newLeaseOwner } from "@checkout-saga/shared";
import { type CheckoutCommandsDeps, driveLeased } from "./checkout-commands.js";
import type { CheckoutSession } from "./checkout-saga.js";
import { isFinished } from "./checkout-saga.js";
import type { CheckoutStore, PaymentNotification } from "./checkout-store.js";
import type { PaymentPort } from "./ports.js";

export interface PaymentNotificationsDeps extends Pick<CheckoutCommandsDeps, "saga" | "encodeResponse"> {
  store: CheckoutStore;
  payments: Pick<PaymentPort, "getPayment" | "refund">;
  logger: Logger;
  /** How long to wait for a driver that holds the checkout (say, InitiateCheckout still answering). */
  leaseWaitMs?: number;
}

/** What recording a notification did. */
export interface NotificationOutcome {
  /** False: this webhook id was acted on before; nothing was done now. */
  firstDelivery: boolean;
  /** No checkout has the notification's id: nothing to do, now or ever. */
  ignored: boolean;
  session?: CheckoutSession;
}

const LATE_PAYMENT_REASON = "paid after the checkout had failed";

/**
 * RecordPaymentNotification: the provider says a pay-later payment settled. The notification's
 * type is a hint, never trusted: the checkout is driven, and its charge step asks the provider
 * (charging again with the same key) — so late, repeated and out-of-order notifications all end
 * where the payment really is. Deduplicated by webhook id; a delivery is marked processed only
 * after the checkout moved, so one that died mid-way is acted on when the provider retries.
 */
export function createPaymentNotifications(deps: PaymentNotificationsDeps) {
  const { store, logger } = deps;
  const leaseWaitMs = deps.leaseWaitMs ?? 3_000;

  /** The checkout's lease, waiting a little for a driver that holds it; refused (retry later) if it keeps it. */
  async function claim(checkoutId: string): Promise<string> {
    const owner = newLeaseOwner();
    const until = Date.now() + leaseWaitMs;
    for (;;) {
      if (await store.claimLease(checkoutId, owner)) return owner;
      if (Date.now() >= until) {
        throw new DomainError("unavailable", "CHECKOUT_BUSY", "the checkout is being driven; deliver again later", {
          metadata: { checkout_id: checkoutId },
        });
      }
      await sleep(100);
    }
  }

  /**
   * The checkout already ended. Paid after it FAILED (a voucher paid as compensation began, a
   * notification that outlived the checkout): the money is given back — the payment is looked up
   * and refunded if it stands SUCCEEDED. Refund is idempotent, so a repeat refunds nothing twice.
   */
  async function settleLate(session: CheckoutSession, notification: PaymentNotification): Promise<void> {
    if (session.status !== "FAILED" || notification.type !== "payment.succeeded") return;
    const payment = await deps.payments.getPayment(notification.paymentId);
    if (payment.status !== "succeeded") return;
    await deps.payments.refund(notification.paymentId, LATE_PAYMENT_REASON);
    logger.warn(
      { checkoutId: session.id, paymentId: notification.paymentId },
      "payment succeeded after its checkout failed; refunded",
    );
  }

  return {
    async record(notification: PaymentNotification): Promise<NotificationOutcome> {
      const seen = await store.recordNotification(notification);
      if (seen === "processed") {
        // A repeat of an ignored notification is ignored again: its id need not even be a checkout's.
        const session = await loadIfUuid(store, notification.checkoutId);
        return { firstDelivery: false, ignored: !session, session };
      }
      let session = await loadIfUuid(store, notification.checkoutId);
      if (!session) {
        await store.markNotificationProcessed(notification.webhookId);
        logger.warn({ ...notification }, "payment notification for an unknown checkout; ignored");
        return { firstDelivery: true, ignored: true };
      }
      if (isFinished(session.status)) {
        await settleLate(session, notification);
      } else if (!session.stepMode) {
        // Step mode: the developer walks it on (AdvanceCheckout); the charge step then asks the provider.
        session = await driveLeased(deps, session.id, await claim(session.id), Number.POSITIVE_INFINITY);
        await settleLate(session, notification);
      }
      await store.markNotificationProcessed(notification.webhookId);
      logger.info(
        { checkoutId: session.id, webhookId: notification.webhookId, type: notification.type, status: session.status },
        "payment notification recorded",
      );
      return { firstDelivery: true, ignored: false, session };
    },
  };
}

export type PaymentNotifications = ReturnType<typeof createPaymentNotifications>;

const loadIfUuid = (store: CheckoutStore, id: string) => (isUuid(id) ? store.load(id) : Promise.resolve(undefined));
