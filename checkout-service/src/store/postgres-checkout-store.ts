import { type OutboxSignal, outboxInsertFor, type Sql, type Totals } from "@checkout-saga/shared";
import type postgres from "postgres";
import type {
  CheckoutFailure,
  CheckoutItem,
  KonbiniVoucher,
  PaymentMethod,
  ShippingAddress,
} from "../domain/checkout-session.js";
import { type CheckoutSession, type CheckoutStatus, isCheckoutStatus } from "../saga/checkout-saga.js";
import type { CheckoutStore } from "../saga/checkout-store.js";
import type { SessionPatch } from "../saga/ports.js";

/** A page of checkouts, newest first; `after` is the keyset position of the previous page's last row. */
export interface ListQuery {
  userId?: string;
  status?: CheckoutStatus;
  needsAttention?: boolean;
  limit: number;
  after?: { createdAt: Date; id: string };
}

export interface CheckoutQueries {
  list(query: ListQuery): Promise<CheckoutSession[]>;
}

interface SessionRow {
  id: string;
  user_id: string;
  status: string;
  currency: string;
  total_minor: string | number;
  totals: Totals | null;
  items: CheckoutItem[];
  shipping_address: ShippingAddress;
  payment_method_type: string;
  payment_token: string;
  payment_store: string | null;
  konbini: StoredVoucher | null;
  reservation_id: string | null;
  payment_id: string | null;
  failure: CheckoutFailure | null;
  step_mode: boolean;
  needs_attention: boolean;
  compensation_attempts: number;
  payment_deadline: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A voucher as its jsonb column holds it. */
interface StoredVoucher {
  confirmationNumber: string;
  store?: string;
  expiresAt: string;
}

interface TransitionRow {
  from_status: string | null;
  to_status: string;
  reason: string;
  at: Date;
}

/**
 * Checkout sessions, their history, idempotency keys and outbox rows in PostgreSQL. Every
 * saga write is guarded by the expected status and the writer's lease (`where id = $ and
 * status = $from and lease_owner = $owner`): zero rows means another driver moved it.
 */
export function createPostgresCheckoutStore(
  sql: Sql,
  options: { leaseMs: number; outboxSignal: OutboxSignal },
): CheckoutStore & CheckoutQueries {
  // postgres.js serializes json parameters itself; plain domain objects are valid JSON values.
  const json = (value: object) => sql.json(value as postgres.JSONValue);
  const leaseUntil = () => sql`now() + ${options.leaseMs} * interval '1 millisecond'`;

  /**
   * The SET list shared by every guarded write: patch fields, the lease (renewed or let go),
   * bookkeeping. A transition passes its driver's time, so the session's `updated_at` is the
   * time the driver holds (and answers with), as its history rows are.
   */
  const applyPatch = (patch: SessionPatch = {}, lease: "renew" | "release" = "renew", at?: Date) => sql`
    reservation_id = coalesce(${patch.reservationId ?? null}::text, reservation_id),
    payment_id = coalesce(${patch.paymentId ?? null}::text, payment_id),
    konbini = coalesce(${patch.konbini ? json(storedVoucher(patch.konbini)) : null}::jsonb, konbini),
    failure = coalesce(${patch.failure ? json(patch.failure) : null}::jsonb, failure),
    payment_deadline = coalesce(${patch.paymentDeadline ?? null}::timestamptz, payment_deadline),
    needs_attention = coalesce(${patch.needsAttention ?? null}::boolean, needs_attention),
    compensation_attempts = coalesce(${patch.compensationAttempts ?? null}::int, compensation_attempts),
    ${lease === "renew" ? sql`lease_expires_at = ${leaseUntil()}` : sql`lease_owner = null, lease_expires_at = null`},
    updated_at = ${at ? sql`${at}::timestamptz` : sql`now()`},
    version = version + 1`;

  return {
    async load(checkoutId) {
      const [row] = await sql<SessionRow[]>`select * from checkout_sessions where id = ${checkoutId}`;
      if (!row) return undefined;
      const history = await sql<TransitionRow[]>`
        select from_status, to_status, reason, at from checkout_transitions
        where checkout_id = ${checkoutId} order by seq`;
      return toSession(row, history);
    },

    async transition({ id: checkoutId, owner, from, to, reason, at, via = [], patch, outbox, releaseLease }) {
      const states = [from, ...via.map((v) => v.state), to];
      const reasons = [...via.map((v) => v.reason), reason];
      // One statement, one round trip: the guarded update, one history row per hop, and with the
      // final one its outbox row and stored answer — each CTE writes only if the update did.
      // The update's row lock serializes history appends for this checkout.
      const [result] = await sql<{ moved: number }[]>`
        with moved as (
          update checkout_sessions set status = ${to}, ${applyPatch(patch, releaseLease ? "release" : "renew", at)}
          where id = ${checkoutId} and status = ${from} and lease_owner = ${owner}
          returning id
        ), history as (
          insert into checkout_transitions (checkout_id, seq, from_status, to_status, reason, at)
          select moved.id, base.seq + hop.n, hop.from_status, hop.to_status, hop.reason, ${at}::timestamptz
          from moved,
            (select coalesce(max(seq), 0) as seq from checkout_transitions where checkout_id = ${checkoutId}) base,
            unnest(${states.slice(0, -1)}::text[], ${states.slice(1)}::text[], ${reasons}::text[])
              with ordinality as hop(from_status, to_status, reason, n)
        )
        ${outbox ? sql`, announced as (${outboxInsertFor(sql, "moved", outbox.event)})` : sql``}
        ${
          outbox?.response
            ? // The answer the key replays, kept with the end it describes (unless one was kept earlier).
              sql`, answered as (
                update idempotency_keys set response = ${Buffer.from(outbox.response)}, completed_at = now()
                where checkout_id = ${checkoutId} and response is null and exists (select 1 from moved))`
            : sql``
        }
        select count(*)::int as moved from moved`;
      const moved = (result?.moved ?? 0) > 0;
      if (moved && outbox) options.outboxSignal.notify();
      return moved;
    },

    async annotate({ id: checkoutId, owner, status, patch }) {
      const updated = await sql`
        update checkout_sessions set ${applyPatch(patch)}
        where id = ${checkoutId} and status = ${status} and lease_owner = ${owner}`;
      return updated.count > 0;
    },

    async renewLease(checkoutId, owner) {
      const updated = await sql`
        update checkout_sessions set lease_expires_at = ${leaseUntil()}
        where id = ${checkoutId} and lease_owner = ${owner}`;
      return updated.count > 0;
    },

    async claimLease(checkoutId, owner) {
      const updated = await sql`
        update checkout_sessions set lease_owner = ${owner}, lease_expires_at = ${leaseUntil()}
        where id = ${checkoutId} and (lease_owner is null or lease_expires_at < now())`;
      return updated.count > 0;
    },

    async releaseLease(checkoutId, owner) {
      await sql`
        update checkout_sessions set lease_owner = null, lease_expires_at = null
        where id = ${checkoutId} and lease_owner = ${owner}`;
    },

    async create(c, idempotency, owner, options = {}) {
      const reason = options.retryOf
        ? `checkout initiated: a new attempt after checkout ${options.retryOf} failed for a passing reason`
        : "checkout initiated";
      // One statement: the key first, then the session and its first history row only if the key
      // was claimed. A concurrent insert of the same key waits for the first to commit, then finds
      // it taken; a concurrent retry finds the key already moved on from the failed attempt.
      const claimKey = options.retryOf
        ? sql`
            update idempotency_keys set checkout_id = ${c.id}, response = null, completed_at = null
            where user_id = ${c.userId} and key = ${idempotency.key} and checkout_id = ${options.retryOf}
            returning checkout_id`
        : sql`
            insert into idempotency_keys (user_id, key, request_fingerprint, checkout_id)
            values (${c.userId}, ${idempotency.key}, ${idempotency.fingerprint}, ${c.id})
            on conflict do nothing
            returning checkout_id`;
      // A JS Date: milliseconds only, so the list's keyset cursor matches rows exactly.
      const created = await sql`
        with claimed as (${claimKey}),
        session as (
          insert into checkout_sessions (id, user_id, status, currency, total_minor, totals, items, shipping_address,
            payment_method_type, payment_token, payment_store, step_mode, lease_owner, lease_expires_at, created_at, updated_at)
          select claimed.checkout_id, ${c.userId}::text, 'INITIATED', ${c.total.currency}::text,
            ${c.total.amountMinor}::bigint, ${json(c.totals)}::jsonb, ${json(c.items)}::jsonb, ${json(c.shippingAddress)}::jsonb,
            ${c.paymentMethod.type}::text, ${paymentToken(c.paymentMethod)}::text,
            ${paymentStore(c.paymentMethod)}::text, ${c.stepMode}::boolean, ${owner}::text,
            ${leaseUntil()}, ${c.createdAt}::timestamptz, ${c.createdAt}::timestamptz
          from claimed
          returning id
        )
        insert into checkout_transitions (checkout_id, seq, from_status, to_status, reason, at)
        select session.id, 1, null, 'INITIATED', ${reason}::text, ${c.createdAt}::timestamptz from session`;
      if (created.count === 0) return "conflict";
      return {
        ...c,
        status: "INITIATED",
        needsAttention: false,
        compensationAttempts: 0,
        updatedAt: c.createdAt,
        history: [{ to: "INITIATED", reason, at: c.createdAt }],
      };
    },

    async findIdempotencyKey(userId, key) {
      const [row] = await sql<
        { request_fingerprint: string; checkout_id: string; response: Buffer | null }[]
      >`select request_fingerprint, checkout_id, response from idempotency_keys where user_id = ${userId} and key = ${key}`;
      if (!row) return undefined;
      return {
        userId,
        key,
        fingerprint: row.request_fingerprint,
        checkoutId: row.checkout_id,
        response: row.response ? new Uint8Array(row.response) : undefined,
      };
    },

    async storeResponse(checkoutId, response) {
      await sql`
        update idempotency_keys set response = ${Buffer.from(response)}, completed_at = now()
        where checkout_id = ${checkoutId} and response is null`;
    },

    async findRecoverable({ graceMs, attentionRetryMs, limit }) {
      const rows = await sql<{ id: string }[]>`
        select id from checkout_sessions
        where status not in ('COMPLETED', 'FAILED')
          and not step_mode
          and (lease_owner is null or lease_expires_at < now())
          and updated_at < now() - ${graceMs} * interval '1 millisecond'
          and (not needs_attention or updated_at < now() - ${attentionRetryMs} * interval '1 millisecond')
          -- A konbini voucher waits days for its webhook: left alone until its deadline (expiry + margin).
          and not (status = 'PAYMENT_PENDING' and konbini is not null and payment_deadline > now())
        order by updated_at
        limit ${limit}`;
      return rows.map((r) => r.id);
    },

    async recordNotification({ webhookId, type, paymentId, checkoutId }) {
      const inserted = await sql`
        insert into payment_notifications (webhook_id, type, payment_id, checkout_id)
        values (${webhookId}, ${type}, ${paymentId}, ${checkoutId})
        on conflict (webhook_id) do nothing`;
      if (inserted.count > 0) return "new";
      const [row] = await sql<{ processed_at: Date | null }[]>`
        select processed_at from payment_notifications where webhook_id = ${webhookId}`;
      return row?.processed_at ? "processed" : "unprocessed";
    },

    async markNotificationProcessed(webhookId) {
      await sql`update payment_notifications set processed_at = now() where webhook_id = ${webhookId} and processed_at is null`;
    },

    async deleteProcessedNotifications({ retentionDays, limit }) {
      // SKIP LOCKED: instances sweeping at once delete disjoint rows, never waiting on each other.
      const deleted = await sql`
        delete from payment_notifications where webhook_id in (
          select webhook_id from payment_notifications
          where processed_at < now() - ${retentionDays} * interval '1 day'
          order by processed_at
          limit ${limit}
          for update skip locked)`;
      return deleted.count;
    },

    async list({ userId, status, needsAttention, limit, after }) {
      const conditions = [sql`true`];
      if (userId) conditions.push(sql`user_id = ${userId}`);
      if (status) conditions.push(sql`status = ${status}`);
      if (needsAttention) conditions.push(sql`needs_attention`);
      if (after) conditions.push(sql`(created_at, id) < (${after.createdAt}, ${after.id})`);
      const where = conditions.reduce((all, c) => sql`${all} and ${c}`);
      const rows = await sql<SessionRow[]>`
        select * from checkout_sessions where ${where}
        order by created_at desc, id desc
        limit ${limit}`;
      return rows.map((r) => toSession(r, []));
    },
  };
}

function toSession(row: SessionRow, history: TransitionRow[]): CheckoutSession {
  return {
    id: row.id,
    userId: row.user_id,
    status: toStatus(row.status),
    total: { currency: row.currency, amountMinor: Number(row.total_minor) },
    ...(row.totals ? { totals: row.totals } : {}),
    items: row.items,
    shippingAddress: row.shipping_address,
    paymentMethod: toPaymentMethod(row),
    reservationId: row.reservation_id ?? undefined,
    paymentId: row.payment_id ?? undefined,
    ...(row.konbini ? { konbini: toVoucher(row.konbini) } : {}),
    failure: row.failure ?? undefined,
    stepMode: row.step_mode,
    needsAttention: row.needs_attention,
    compensationAttempts: row.compensation_attempts,
    paymentDeadline: row.payment_deadline ?? undefined,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    history: history.map((t) => ({
      from: t.from_status === null ? undefined : toStatus(t.from_status),
      to: toStatus(t.to_status),
      reason: t.reason,
      at: t.at,
    })),
  };
}

function toStatus(value: string): CheckoutStatus {
  if (!isCheckoutStatus(value)) throw new Error(`unknown checkout status in the database: ${value}`);
  return value;
}

/** A card keeps its token (to charge after a restart); konbini has none. */
const paymentToken = (method: PaymentMethod): string => (method.type === "card" ? method.token : "");
const paymentStore = (method: PaymentMethod): string | null =>
  method.type === "konbini" ? (method.store ?? null) : null;

function toPaymentMethod(row: SessionRow): PaymentMethod {
  if (row.payment_method_type === "konbini") {
    return { type: "konbini", ...(row.payment_store === null ? {} : { store: row.payment_store }) };
  }
  return { type: "card", token: row.payment_token };
}

const storedVoucher = (v: KonbiniVoucher): StoredVoucher => ({
  confirmationNumber: v.confirmationNumber,
  ...(v.store === undefined ? {} : { store: v.store }),
  expiresAt: v.expiresAt.toISOString(),
});

const toVoucher = (v: StoredVoucher): KonbiniVoucher => ({
  confirmationNumber: v.confirmationNumber,
  ...(v.store === undefined ? {} : { store: v.store }),
  expiresAt: new Date(v.expiresAt),
});
