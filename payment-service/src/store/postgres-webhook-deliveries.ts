import type { Sql } from "@checkout-saga/shared";
import { and, asc, count, eq, inArray, lte, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import type { WebhookDelivery, WebhookDeliveryStore } from "../domain/webhook-delivery.js";
import { webhookDeliveries } from "./schema.js";

/** Longest `last_error` kept: enough for a status line or a socket error, never a whole error page. */
const MAX_ERROR_LENGTH = 500;

/**
 * Webhook deliveries in PostgreSQL (the rows postgres-payments writes with each outcome). A claim
 * is one statement: it locks the due rows no other claim holds (FOR UPDATE SKIP LOCKED), counts
 * the attempt and moves `next_attempt_at` to the end of the lease, then commits — so no
 * transaction stays open during the HTTP call, and workers in any number of processes share the
 * queue without sending one delivery twice at once. `attempts` fences the result: a worker whose
 * lease ran out (and whose delivery was claimed again) cannot reschedule or bury it.
 */
export function createPostgresWebhookDeliveries(client: Sql): WebhookDeliveryStore {
  const db = drizzle(client);
  const t = webhookDeliveries;

  return {
    async claimDue(now, limit, leaseUntil) {
      const due = db
        .select({ id: t.id })
        .from(t)
        .where(and(eq(t.status, "PENDING"), lte(t.nextAttemptAt, now)))
        .orderBy(asc(t.nextAttemptAt))
        .limit(limit)
        .for("update", { skipLocked: true });
      const rows = await db
        .update(t)
        .set({ attempts: sql`${t.attempts} + 1`, lastAttemptAt: now, nextAttemptAt: leaseUntil })
        .where(inArray(t.id, due))
        .returning();
      return rows
        .map(
          (r): WebhookDelivery => ({
            id: r.id,
            paymentId: r.paymentId,
            type: r.eventType,
            body: r.body,
            attempts: r.attempts,
            createdAt: r.createdAt,
          }),
        )
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    },

    async recordDelivered(delivery, at) {
      // Whoever's attempt got through, the receiver has it: no fencing on attempts here.
      await db
        .update(t)
        .set({ status: "DELIVERED", deliveredAt: at, lastError: null })
        .where(and(eq(t.id, delivery.id), eq(t.status, "PENDING")));
    },

    async recordFailed(delivery, error, at, next) {
      const lastError = error.slice(0, MAX_ERROR_LENGTH);
      await db
        .update(t)
        .set(
          "retryAt" in next
            ? { lastError, nextAttemptAt: next.retryAt }
            : { lastError: `${lastError} (${next.deadBecause})`, status: "DEAD", deadAt: at },
        )
        .where(and(eq(t.id, delivery.id), eq(t.status, "PENDING"), eq(t.attempts, delivery.attempts)));
    },

    async pendingCount() {
      const [row] = await db.select({ pending: count() }).from(t).where(eq(t.status, "PENDING"));
      return row?.pending ?? 0;
    },
  };
}
