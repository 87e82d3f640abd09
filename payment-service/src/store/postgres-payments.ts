import { newTimeOrderedId, type Sql } from "@checkout-saga/shared";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import type { DeclineCode, NewPayment, Payment } from "../domain/payment.js";
import type { PaymentStore } from "../domain/payments.js";
import { payments } from "./schema.js";

type Row = typeof payments.$inferSelect;

// Payment ids are opaque to callers; anything not shaped like one cannot exist (and would make
// PostgreSQL reject the uuid cast).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Payments in PostgreSQL; every write is committed before the promise resolves. */
export function createPostgresPayments(sql: Sql): PaymentStore {
  const db = drizzle(sql);

  const byKey = async (key: string) => {
    const [row] = await db.select().from(payments).where(eq(payments.idempotencyKey, key));
    return row && toPayment(row);
  };

  return {
    async findById(id) {
      if (!UUID.test(id)) return undefined;
      const [row] = await db.select().from(payments).where(eq(payments.id, id));
      return row && toPayment(row);
    },

    findByIdempotencyKey: byKey,

    async insertOnce(payment) {
      // On a key conflict the insert waits for the other transaction, then does nothing; the
      // re-read (a new statement) sees the committed winner. Without one, the insert's own row answers.
      const [inserted] = await db
        .insert(payments)
        .values(toRow(payment))
        .onConflictDoNothing({ target: payments.idempotencyKey })
        .returning();
      if (inserted) return toPayment(inserted);
      const stored = await byKey(payment.idempotencyKey);
      if (!stored) throw new Error("payment with idempotency key vanished after insert");
      return stored;
    },

    async update(id, change) {
      if (!UUID.test(id)) return undefined;
      return db.transaction(async (tx) => {
        const [row] = await tx.select().from(payments).where(eq(payments.id, id)).for("update");
        return row && applyChange(tx, toPayment(row), change);
      });
    },

    async insertOrUpdate(absent, change) {
      return db.transaction(async (tx) => {
        // On a key conflict the insert waits for the other transaction (a charge storing its
        // outcome), then does nothing; the locking read (a new statement) sees the winner.
        const [inserted] = await tx
          .insert(payments)
          .values(toRow(absent))
          .onConflictDoNothing({ target: payments.idempotencyKey })
          .returning();
        if (inserted) return toPayment(inserted);
        const [row] = await tx
          .select()
          .from(payments)
          .where(eq(payments.idempotencyKey, absent.idempotencyKey))
          .for("update");
        if (!row) throw new Error("payment with idempotency key vanished after a conflict");
        return applyChange(tx, toPayment(row), change);
      });
    },
  };
}

type Transaction = Parameters<Parameters<ReturnType<typeof drizzle>["transaction"]>[0]>[0];

/** Writes `change(current)` over the locked row `current`; only a charged payment's refund fields change. */
async function applyChange(tx: Transaction, current: Payment, change: (current: Payment) => Payment) {
  const next = change(current);
  if (next === current) return current;
  if (next.status === "VOIDED") throw new Error("a stored payment cannot become VOIDED");
  await tx
    .update(payments)
    .set({ status: next.status, refundedAt: next.refundedAt ?? null, refundReason: next.refundReason ?? null })
    .where(eq(payments.id, current.id));
  return next;
}

/** A new row: the store gives the payment its id (time-ordered; see newTimeOrderedId). */
function toRow(p: NewPayment): typeof payments.$inferInsert {
  const id = newTimeOrderedId();
  if (p.status === "VOIDED") {
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
    cardToken: p.method.token,
    status: p.status,
    declineCode: p.declineCode ?? null,
    declineMessage: p.declineMessage ?? null,
    createdAt: p.createdAt,
    refundedAt: p.refundedAt ?? null,
    refundReason: p.refundReason ?? null,
  };
}

/** A row as a domain payment; the check constraints guarantee a non-VOIDED row has its request fields. */
function toPayment(r: Row): Payment {
  if (r.status === "VOIDED") {
    return {
      id: r.id,
      idempotencyKey: r.idempotencyKey,
      status: r.status,
      createdAt: r.createdAt,
      voidReason: r.voidReason ?? "",
    };
  }
  return {
    id: r.id,
    idempotencyKey: r.idempotencyKey,
    requestFingerprint: required(r.requestFingerprint),
    checkoutId: required(r.checkoutId),
    amount: { currency: required(r.currency), amountMinor: required(r.amountMinor) },
    method: { type: required(r.methodType), token: required(r.cardToken) },
    status: r.status,
    declineCode: (r.declineCode as DeclineCode | null) ?? undefined,
    declineMessage: r.declineMessage ?? undefined,
    createdAt: r.createdAt,
    refundedAt: r.refundedAt ?? undefined,
    refundReason: r.refundReason ?? undefined,
  };
}

function required<T>(value: T | null): T {
  if (value === null) throw new Error("a charged payment's row lacks a request field");
  return value;
}
