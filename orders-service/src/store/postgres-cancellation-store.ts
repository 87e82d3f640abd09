import type { OutboxSignal, SagaFailure, Sql, Totals } from "@checkout-saga/shared";
import type postgres from "postgres";
import { type Cancellation, type CancellationStatus, isCancellationStatus } from "../cancellation/cancellation-saga.js";
import type { CancellationStore } from "../cancellation/cancellation-store.js";
import type { CancellationPatch } from "../cancellation/ports.js";
import { planCancellation } from "../domain/cancellation.js";
import { orderNotFound } from "../domain/not-found.js";
import { type OrderLine, type OrderStatus, totalsOfTotal } from "../domain/order.js";
import { readOrderLines, recordOnOrder } from "./record-on-order.js";

interface CancellationRow {
  id: string;
  order_id: string;
  user_id: string;
  checkout_id: string;
  payment_id: string;
  status: string;
  requested_by: string;
  reason: string;
  lines: OrderLine[];
  currency: string;
  refund_minor: string;
  points_returned: string;
  failure: SagaFailure | null;
  needs_attention: boolean;
  compensation_attempts: number;
  created_at: Date;
  updated_at: Date;
}

interface TransitionRow {
  from_status: string | null;
  to_status: string;
  reason: string;
  at: Date;
}

/** The columns of a cancellation with those of its order that the saga needs. */
const SELECT_CANCELLATION = `
  select c.id, c.order_id, o.user_id, o.checkout_id, o.payment_id, c.status, c.requested_by, c.reason, c.lines,
    c.currency, c.refund_minor, c.points_returned, c.failure, c.needs_attention, c.compensation_attempts, c.created_at, c.updated_at
  from order_cancellations c join orders o on o.id = c.order_id`;

/**
 * Cancellations in PostgreSQL, next to the orders they change. Every saga write is guarded by
 * the expected status and the writer's lease (`where id = $ and status = $from and lease_owner =
 * $owner`): zero rows means another driver moved it. The COMPLETED transition records the
 * cancellation on the order and writes its events in the same transaction.
 */
export function createPostgresCancellationStore(
  sql: Sql,
  options: { leaseMs: number; outboxSignal: OutboxSignal },
): CancellationStore {
  // JSON goes as a text parameter cast to jsonb: a jsonb parameter would be stringified again.
  const json = (value: object) => JSON.stringify(value);
  const leaseUntil = () => sql`now() + ${options.leaseMs} * interval '1 millisecond'`;

  /** The SET list of every guarded write: patch fields, the lease (renewed or let go), the time. */
  const applyPatch = (patch: CancellationPatch = {}, lease: "renew" | "release" = "renew", at?: Date) => sql`
    failure = coalesce(${patch.failure ? json(patch.failure) : null}::text::jsonb, failure),
    needs_attention = coalesce(${patch.needsAttention ?? null}::boolean, needs_attention),
    compensation_attempts = coalesce(${patch.compensationAttempts ?? null}::int, compensation_attempts),
    ${lease === "renew" ? sql`lease_expires_at = ${leaseUntil()}` : sql`lease_owner = null, lease_expires_at = null`},
    updated_at = ${at ? sql`${at.toISOString()}::timestamptz` : sql`now()`}`;

  async function load(id: string, tx: Sql | postgres.TransactionSql = sql): Promise<Cancellation | undefined> {
    const [row] = await tx.unsafe<CancellationRow[]>(`${SELECT_CANCELLATION} where c.id = $1`, [id]);
    if (!row) return undefined;
    const history = await tx<TransitionRow[]>`
      select from_status, to_status, reason, at from order_cancellation_transitions
      where cancellation_id = ${id} order by seq`;
    return toCancellation(row, history);
  }

  return {
    load: (id) => load(id),

    async transition({ id, owner, from, to, reason, at, via = [], patch, outbox, releaseLease }) {
      const states = [from, ...via.map((v) => v.state), to];
      const reasons = [...via.map((v) => v.reason), reason];
      const moved = await sql.begin(async (tx) => {
        const updated = await tx`
          update order_cancellations set status = ${to}, ${applyPatch(patch, releaseLease ? "release" : "renew", at)}
          where id = ${id} and status = ${from} and lease_owner = ${owner}`;
        if (updated.count === 0) return false;
        await tx`
          insert into order_cancellation_transitions (cancellation_id, seq, from_status, to_status, reason, at)
          select ${id}, base.seq + hop.n, hop.from_status, hop.to_status, hop.reason, ${at.toISOString()}::timestamptz
          from (select coalesce(max(seq), 0) as seq from order_cancellation_transitions where cancellation_id = ${id}) base,
            unnest(${states.slice(0, -1)}::text[], ${states.slice(1)}::text[], ${reasons}::text[])
              with ordinality as hop(from_status, to_status, reason, n)`;
        if (outbox && to === "COMPLETED") await recordOnOrder(tx, outbox.cancellation, outbox.at);
        return true;
      });
      if (moved && outbox && to === "COMPLETED") options.outboxSignal.notify();
      return moved;
    },

    async annotate({ id, owner, status, patch }) {
      const updated = await sql`
        update order_cancellations set ${applyPatch(patch)}
        where id = ${id} and status = ${status} and lease_owner = ${owner}`;
      return updated.count > 0;
    },

    async renewLease(id, owner) {
      const updated = await sql`
        update order_cancellations set lease_expires_at = ${leaseUntil()} where id = ${id} and lease_owner = ${owner}`;
      return updated.count > 0;
    },

    async claimLease(id, owner) {
      const updated = await sql`
        update order_cancellations set lease_owner = ${owner}, lease_expires_at = ${leaseUntil()}
        where id = ${id} and (lease_owner is null or lease_expires_at < now())`;
      return updated.count > 0;
    },

    async releaseLease(id, owner) {
      await sql`
        update order_cancellations set lease_owner = null, lease_expires_at = null
        where id = ${id} and lease_owner = ${owner}`;
    },

    async create({ id, request, userId, key, at }, owner) {
      return sql.begin(async (tx) => {
        // The order's row lock serializes its cancellations: each is checked against the ones before.
        const [order] = await tx<
          {
            status: OrderStatus;
            user_id: string;
            currency: string;
            total_minor: string;
            totals: Totals | null;
          }[]
        >`
          select status, user_id, currency, total_minor, totals from orders where id = ${request.orderId} for update`;
        if (!order || (userId !== undefined && order.user_id !== userId)) {
          throw orderNotFound(request.orderId);
        }
        const taken = await tx<{ id: string }[]>`
          select id from order_cancellations where requested_by = ${key.requestedBy} and idempotency_key = ${key.key}`;
        if (taken.length > 0) return "conflict" as const;
        const earlier = await tx<{ lines: OrderLine[]; refund_minor: string; status: string }[]>`
          select lines, refund_minor, status from order_cancellations
          where order_id = ${request.orderId} and status <> 'FAILED'`;
        const plan = planCancellation(
          {
            id: request.orderId,
            status: order.status,
            currency: order.currency,
            lines: await readOrderLines(tx, request.orderId),
            totals: order.totals ?? totalsOfTotal({ currency: order.currency, amountMinor: Number(order.total_minor) }),
          },
          earlier.map((c) => ({ lines: c.lines, refund: Number(c.refund_minor), running: c.status !== "COMPLETED" })),
          request,
        );
        const inserted = await tx`
          insert into order_cancellations (id, order_id, status, requested_by, idempotency_key, request_fingerprint,
            reason, lines, currency, refund_minor, points_returned, lease_owner, lease_expires_at, created_at, updated_at)
          values (${id}, ${request.orderId}, 'REQUESTED', ${key.requestedBy}, ${key.key}, ${key.fingerprint},
            ${request.reason}, ${json(plan.lines)}::text::jsonb, ${plan.refund.currency}, ${plan.refund.amountMinor},
            ${plan.pointsReturned}, ${owner}, ${leaseUntil()}, ${at.toISOString()}::timestamptz, ${at.toISOString()}::timestamptz)
          on conflict (requested_by, idempotency_key) do nothing`;
        if (inserted.count === 0) return "conflict" as const;
        const created = "cancellation requested";
        await tx`
          insert into order_cancellation_transitions (cancellation_id, seq, from_status, to_status, reason, at)
          values (${id}, 1, null, 'REQUESTED', ${created}, ${at.toISOString()}::timestamptz)`;
        const cancellation = await load(id, tx);
        if (!cancellation) throw new Error(`cancellation ${id} was created but cannot be read`);
        return cancellation;
      });
    },

    async findKey(requestedBy, key) {
      const [row] = await sql<{ id: string; request_fingerprint: string; response: Buffer | null }[]>`
        select id, request_fingerprint, response from order_cancellations
        where requested_by = ${requestedBy} and idempotency_key = ${key}`;
      if (!row) return undefined;
      return {
        cancellationId: row.id,
        fingerprint: row.request_fingerprint,
        ...(row.response ? { response: new Uint8Array(row.response) } : {}),
      };
    },

    async storeResponse(id, response) {
      await sql`update order_cancellations set response = ${Buffer.from(response)} where id = ${id} and response is null`;
    },

    async list({ status, needsAttention, userId, limit, after }) {
      const conditions: string[] = ["true"];
      const params: unknown[] = [];
      const param = (value: unknown) => {
        params.push(value);
        return `$${params.length}`;
      };
      if (status) conditions.push(`c.status = ${param(status)}`);
      if (needsAttention) conditions.push("c.needs_attention");
      if (userId) conditions.push(`o.user_id = ${param(userId)}`);
      if (after)
        conditions.push(
          `(c.created_at, c.id) < (${param(after.createdAt.toISOString())}::timestamptz, ${param(after.id)}::uuid)`,
        );
      const rows = await sql.unsafe<CancellationRow[]>(
        `${SELECT_CANCELLATION} where ${conditions.join(" and ")} order by c.created_at desc, c.id desc limit ${param(limit)}`,
        params as never[],
      );
      return rows.map((row) => toCancellation(row, []));
    },

    async findRecoverable({ graceMs, attentionRetryMs, limit }) {
      const rows = await sql<{ id: string }[]>`
        select id from order_cancellations
        where status not in ('COMPLETED', 'FAILED')
          and (lease_owner is null or lease_expires_at < now())
          and updated_at < now() - ${graceMs} * interval '1 millisecond'
          and (not needs_attention or updated_at < now() - ${attentionRetryMs} * interval '1 millisecond')
        order by updated_at
        limit ${limit}`;
      return rows.map((r) => r.id);
    },
  };
}

function toCancellation(row: CancellationRow, history: TransitionRow[]): Cancellation {
  return {
    id: row.id,
    orderId: row.order_id,
    userId: row.user_id,
    checkoutId: row.checkout_id,
    paymentId: row.payment_id,
    status: toStatus(row.status),
    requestedBy: row.requested_by,
    reason: row.reason,
    lines: row.lines,
    refund: { currency: row.currency, amountMinor: Number(row.refund_minor) },
    pointsReturned: Number(row.points_returned),
    ...(row.failure ? { failure: row.failure } : {}),
    needsAttention: row.needs_attention,
    compensationAttempts: row.compensation_attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    history: history.map((t) => ({
      ...(t.from_status === null ? {} : { from: toStatus(t.from_status) }),
      to: toStatus(t.to_status),
      reason: t.reason,
      at: t.at,
    })),
  };
}

function toStatus(value: string): CancellationStatus {
  if (!isCancellationStatus(value)) throw new Error(`unknown cancellation status in the database: ${value}`);
  return value;
}
