import { isUuid, newTimeOrderedId, type Sql } from "@checkout-saga/shared";
import { and, asc, eq, lte, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import {
  type DeclineCode,
  isVoidedBeforeCharge,
  type NewPayment,
  type Payment,
  refundedMinor,
} from "../domain/payment.js";
import type { PaymentNotification } from "../domain/payment-notification.js";
import { type ChangePayment, ConfirmationNumberTaken, type PaymentStore } from "../domain/payments.js";
import type { Transaction } from "./drizzle-transaction.js";
import { paymentRefunds, payments, webhookDeliveries } from "./schema.js";

type Row = typeof payments.$inferSelect;
type RefundRow = typeof paymentRefunds.$inferSelect;

export interface PostgresPaymentsOptions {
  /** Told after a commit that queued a webhook, so this process's delivery worker sends it at once. */
  onWebhookQueued?: () => void;
}

/** Payments in PostgreSQL; every write is committed before the promise resolves. */
export function createPostgresPayments(sql: Sql, options: PostgresPaymentsOptions = {}): PaymentStore {
  const db = drizzle(sql);

  /** A payment with its refunds, read from one snapshot so they agree with its status (a read takes no lock). */
  const read = (where: SQL) =>
    db.transaction(
      async (tx) => {
        const [row] = await tx.select().from(payments).where(where);
        return row && withRefunds(tx, row);
      },
      { isolationLevel: "repeatable read", accessMode: "read only" },
    );

  const byKey = (key: string) => read(eq(payments.idempotencyKey, key));

  /** Runs `work` in a transaction; rings the delivery worker once it committed a webhook. */
  async function changing<T>(work: (tx: Transaction, queue: () => void) => Promise<T>): Promise<T> {
    let queued = false;
    const result = await db.transaction((tx) =>
      work(tx, () => {
        queued = true;
      }),
    );
    if (queued) options.onWebhookQueued?.();
    return result;
  }

  /** Writes `change(current)` over the locked row `current`, and its webhook with it. */
  async function applyChange(tx: Transaction, current: Payment, change: ChangePayment, queue: () => void) {
    const { payment: next, notification } = change(current);
    if (next === current) return current;
    if (isVoidedBeforeCharge(next)) throw new Error("a stored payment cannot become a void before any charge");
    // Refunds are append-only: those past the current ones are what this change made.
    const made = isVoidedBeforeCharge(current) ? next.refunds : next.refunds.slice(current.refunds.length);
    if (made.length > 0) {
      await tx.insert(paymentRefunds).values(
        made.map((r) => ({
          paymentId: current.id,
          refundKey: r.key,
          amountMinor: r.amount.amountMinor,
          reason: r.reason,
          createdAt: r.createdAt,
        })),
      );
    }
    await tx
      .update(payments)
      .set({
        status: next.status,
        refundedMinor: refundedMinor(next),
        refundedAt: next.refundedAt ?? null,
        refundReason: next.refundReason ?? null,
        voidReason: next.voidReason ?? null,
        paidAt: next.konbini?.paidAt ?? null,
      })
      .where(eq(payments.id, current.id));
    if (notification) {
      await queueWebhook(tx, notification);
      queue();
    }
    return next;
  }

  return {
    async findById(id) {
      // Payment ids are opaque to callers; anything not shaped like one cannot exist (and would
      // make PostgreSQL reject the uuid cast).
      if (!isUuid(id)) return undefined;
      return read(eq(payments.id, id));
    },

    findByIdempotencyKey: byKey,

    async insertOnce(payment) {
      // On a key conflict the insert waits for the other transaction, then does nothing; the
      // re-read (a new statement) sees the committed winner. Without one, the insert's own row answers.
      let inserted: Row | undefined;
      try {
        [inserted] = await db
          .insert(payments)
          .values(toRow(payment))
          .onConflictDoNothing({ target: payments.idempotencyKey })
          .returning();
      } catch (err) {
        if (violates(err, "payments_konbini_confirmation_number_unique")) throw new ConfirmationNumberTaken();
        throw err;
      }
      // A new payment has no refunds yet.
      if (inserted) return toPayment(inserted, []);
      const stored = await byKey(payment.idempotencyKey);
      if (!stored) throw new Error("payment with idempotency key vanished after insert");
      return stored;
    },

    async update(id, change) {
      if (!isUuid(id)) return undefined;
      return changing(async (tx, queue) => {
        const [row] = await tx.select().from(payments).where(eq(payments.id, id)).for("update");
        // Its refunds are read after the lock: a concurrent refund has committed by then, or waits.
        return row && applyChange(tx, await withRefunds(tx, row), change, queue);
      });
    },

    async updateByConfirmationNumber(confirmationNumber, change) {
      return changing(async (tx, queue) => {
        const [row] = await tx
          .select()
          .from(payments)
          .where(eq(payments.konbiniConfirmationNumber, confirmationNumber))
          .for("update");
        return row && applyChange(tx, await withRefunds(tx, row), change, queue);
      });
    },

    async insertOrUpdate(absent, change) {
      return changing(async (tx, queue) => {
        // On a key conflict the insert waits for the other transaction (a charge storing its
        // outcome), then does nothing; the locking read (a new statement) sees the winner.
        const [inserted] = await tx
          .insert(payments)
          .values(toRow(absent))
          .onConflictDoNothing({ target: payments.idempotencyKey })
          .returning();
        if (inserted) return toPayment(inserted, []);
        const [row] = await tx
          .select()
          .from(payments)
          .where(eq(payments.idempotencyKey, absent.idempotencyKey))
          .for("update");
        if (!row) throw new Error("payment with idempotency key vanished after a conflict");
        return applyChange(tx, await withRefunds(tx, row), change, queue);
      });
    },

    async updatePastDue(dueBy, limit, change) {
      return changing(async (tx, queue) => {
        // payments_pending_expiry_idx: only pending vouchers are visited. SKIP LOCKED: a payment
        // another transaction holds (being paid, voided, read) is decided there, or next sweep.
        const rows = await tx
          .select()
          .from(payments)
          .where(and(eq(payments.status, "PENDING"), lte(payments.expiresAt, dueBy)))
          .orderBy(asc(payments.expiresAt))
          .limit(limit)
          .for("update", { skipLocked: true });
        let changed = 0;
        for (const row of rows) {
          // Pending: nothing was paid, so nothing refunded.
          const current = toPayment(row, []);
          if ((await applyChange(tx, current, change, queue)) !== current) changed++;
        }
        return changed;
      });
    },
  };
}

/** The webhook row, in the transaction of the change it announces; a repeat of the same outcome adds none. */
async function queueWebhook(tx: Transaction, notification: PaymentNotification): Promise<void> {
  await tx
    .insert(webhookDeliveries)
    .values({
      id: newTimeOrderedId(),
      paymentId: notification.paymentId,
      eventType: notification.type,
      body: JSON.stringify(notification.body),
      status: "PENDING",
      createdAt: notification.at,
      nextAttemptAt: notification.at,
    })
    .onConflictDoNothing({ target: [webhookDeliveries.paymentId, webhookDeliveries.eventType] });
}

/** A stored payment with its refunds, oldest first. */
async function withRefunds(db: Transaction, row: Row): Promise<Payment> {
  const refunds = await db
    .select()
    .from(paymentRefunds)
    .where(eq(paymentRefunds.paymentId, row.id))
    .orderBy(asc(paymentRefunds.createdAt), asc(paymentRefunds.refundKey));
  return toPayment(row, refunds);
}

/** Whether `err` (possibly wrapped by drizzle) is PostgreSQL refusing a write for `constraint`. */
function violates(err: unknown, constraint: string): boolean {
  const pg = err instanceof Error && err.cause ? err.cause : err;
  return (pg as { constraint_name?: string } | undefined)?.constraint_name === constraint;
}

/** A new row: the store gives the payment its id (time-ordered; see newTimeOrderedId). */
function toRow(p: NewPayment): typeof payments.$inferInsert {
  const id = newTimeOrderedId();
  if (isVoidedBeforeCharge(p)) {
    return { id, idempotencyKey: p.idempotencyKey, status: p.status, createdAt: p.createdAt, voidReason: p.voidReason };
  }
  return {
    id,
    idempotencyKey: p.idempotencyKey,
    requestFingerprint: p.requestFingerprint,
    checkoutId: p.checkoutId,
    currency: p.amount.currency,
    amountMinor: p.amount.amountMinor,
    methodType: p.method.type,
    cardToken: p.method.type === "card" ? p.method.token : null,
    status: p.status,
    declineCode: p.declineCode ?? null,
    declineMessage: p.declineMessage ?? null,
    createdAt: p.createdAt,
    refundedAt: p.refundedAt ?? null,
    refundReason: p.refundReason ?? null,
    voidReason: p.voidReason ?? null,
    konbiniStore: p.method.store ?? null,
    konbiniConfirmationNumber: p.konbini?.confirmationNumber ?? null,
    expiresAt: p.konbini?.expiresAt ?? null,
    paidAt: p.konbini?.paidAt ?? null,
  };
}

/** A row as a domain payment; the check constraints guarantee a charged row has its request fields. */
function toPayment(r: Row, refunds: RefundRow[]): Payment {
  if (r.requestFingerprint === null) {
    return {
      id: r.id,
      idempotencyKey: r.idempotencyKey,
      status: "VOIDED",
      createdAt: r.createdAt,
      voidReason: r.voidReason ?? "",
    };
  }
  return {
    id: r.id,
    idempotencyKey: r.idempotencyKey,
    requestFingerprint: r.requestFingerprint,
    checkoutId: required(r.checkoutId),
    amount: { currency: required(r.currency), amountMinor: required(r.amountMinor) },
    method: {
      type: required(r.methodType),
      token: r.cardToken ?? "",
      ...(r.konbiniStore === null ? {} : { store: r.konbiniStore }),
    },
    status: r.status,
    declineCode: (r.declineCode as DeclineCode | null) ?? undefined,
    declineMessage: r.declineMessage ?? undefined,
    konbini:
      r.konbiniConfirmationNumber === null
        ? undefined
        : {
            confirmationNumber: r.konbiniConfirmationNumber,
            expiresAt: required(r.expiresAt),
            paidAt: r.paidAt ?? undefined,
          },
    createdAt: r.createdAt,
    refunds: refunds.map((f) => ({
      key: f.refundKey,
      amount: { currency: required(r.currency), amountMinor: f.amountMinor },
      reason: f.reason,
      createdAt: f.createdAt,
    })),
    refundedAt: r.refundedAt ?? undefined,
    refundReason: r.refundReason ?? undefined,
    voidReason: r.voidReason ?? undefined,
  };
}

function required<T>(value: T | null): T {
  if (value === null) throw new Error("a charged payment's row lacks a request field");
  return value;
}
