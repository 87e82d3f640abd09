import { newTimeOrderedId, type Sql } from "@checkout-saga/shared";
import type postgres from "postgres";
import type { Clock } from "../domain/clock.js";
import type { Inventory } from "../domain/inventory.js";
import type { Reservation, ReservationStatus, StockLevel, StockLine } from "../domain/reservation.js";
import {
  decideConfirm,
  decideRelease,
  type EndedStatus,
  releaseReason,
  reservationExpired,
  reservationNotFound,
  returnsToAvailable,
} from "../domain/reservation-transitions.js";
import { checkReturnable, type StockReturn, sameReturn, withReturned } from "../domain/stock-return.js";
import { findShortages, outOfStock } from "../domain/stock-shortage.js";
import { adjustStockInPostgres } from "./postgres-stock-adjustment.js";

/** A pool or an open transaction: reads work on either. */
type Queryable = postgres.ISql;

interface ReservationRow {
  id: string;
  checkout_id: string;
  status: ReservationStatus;
  expires_at: Date;
}

const EXPIRED_REASON = "expired";

/**
 * Inventory on PostgreSQL. Locking rules, which keep concurrent calls from double-applying or
 * deadlocking:
 * - a status change first locks its reservation row (`for update`), then decides from what it reads;
 * - stock rows are locked with one `select ... order by product_id for update`, so every
 *   transaction takes them in the same order;
 * - the sweeper skips reservations someone else holds (`skip locked`) instead of waiting.
 */
export function createPostgresInventory(sql: Sql, clock: Clock): Inventory {
  return {
    async reserve(command) {
      // One transaction whether the checkout is new or a retry: the insert finds out which.
      return sql.begin(async (tx) => {
        const now = clock.now();
        const expiresAt = new Date(now.getTime() + command.ttlSeconds * 1_000);
        // A concurrent Reserve of the same checkout makes this insert wait for its outcome.
        const [inserted] = await tx<{ id: string }[]>`
          insert into reservations (id, checkout_id, status, expires_at, created_at, updated_at)
          values (${newTimeOrderedId()}, ${command.checkoutId}, 'HELD', ${expiresAt}, ${now}, ${now})
          on conflict (checkout_id) do nothing
          returning id`;
        if (!inserted) {
          // An earlier (or concurrent) Reserve of this checkout committed first; its reservation is the answer.
          const winner = await findReservation(tx, command.checkoutId);
          if (!winner) throw new Error(`reservation of checkout ${command.checkoutId} vanished after a conflict`);
          return winner;
        }
        const available = await lockStock(
          tx,
          command.lines.map((l) => l.productId),
        );
        const shortages = findShortages(command.lines, available);
        // Throwing rolls back the reservation row too: nothing is held, nothing is recorded.
        if (shortages.length > 0) throw outOfStock(shortages);
        const lineRows = command.lines.map((l) => ({
          reservation_id: inserted.id,
          product_id: l.productId,
          quantity: l.quantity,
        }));
        // Sent together (pipelined): the rows are locked already, nothing waits on an answer.
        const [moved] = await Promise.all([
          Promise.all(
            command.lines.map(
              ({ productId, quantity }) =>
                // The guard repeats the shortage check at the row; with the check constraint it is
                // the last line of defence against overselling.
                tx`
                  update stock
                  set available = available - ${quantity}, reserved = reserved + ${quantity}, updated_at = ${now}
                  where product_id = ${productId} and available >= ${quantity}`,
            ),
          ),
          tx`insert into reservation_lines ${tx(lineRows)}`,
        ]);
        moved.forEach((m, i) => {
          if (m.count !== 1)
            throw new Error(`stock of product ${command.lines[i]?.productId} changed under its row lock`);
        });
        return {
          id: inserted.id,
          checkoutId: command.checkoutId,
          status: "HELD" as const,
          lines: command.lines,
          returned: [],
          expiresAt,
        };
      });
    },

    async confirm(checkoutId) {
      const outcome = await sql.begin(async (tx) => {
        const reservation = await lockReservation(tx, checkoutId);
        if (!reservation) throw reservationNotFound(checkoutId);
        const now = clock.now();
        switch (decideConfirm(reservation, now)) {
          case "unchanged":
            return { reservation, expired: false };
          case "confirm":
            return { reservation: await endHold(tx, reservation, "CONFIRMED", null, now), expired: false };
          case "expire":
            return { reservation: await endHold(tx, reservation, "EXPIRED", EXPIRED_REASON, now), expired: true };
        }
      });
      // The expiry is committed before the caller hears of it, so the stock goes back either way.
      if (outcome.expired) throw reservationExpired(checkoutId);
      return outcome.reservation;
    },

    async release(checkoutId, reason) {
      return sql.begin(async (tx) => {
        let reservation = await lockReservation(tx, checkoutId);
        if (!reservation) {
          // Nothing held yet: record the release, so a Reserve still in flight (a caller that
          // timed out and compensated) finds it and holds nothing, instead of leaking stock
          // until the hold expires.
          const now = clock.now();
          const [tombstone] = await tx<{ id: string }[]>`
            insert into reservations (id, checkout_id, status, expires_at, created_at, updated_at, release_reason)
            values (${newTimeOrderedId()}, ${checkoutId}, 'RELEASED', ${now}, ${now}, ${now}, ${releaseReason(reason)})
            on conflict (checkout_id) do nothing
            returning id`;
          if (tombstone) {
            return {
              id: tombstone.id,
              checkoutId,
              status: "RELEASED" as const,
              lines: [],
              returned: [],
              expiresAt: now,
            };
          }
          // A Reserve committed in between: release what it holds.
          reservation = await lockReservation(tx, checkoutId);
          if (!reservation) throw new Error(`reservation of checkout ${checkoutId} vanished after a conflict`);
        }
        if (decideRelease(reservation) === "unchanged") return reservation;
        return endHold(tx, reservation, "RELEASED", releaseReason(reason), clock.now());
      });
    },

    async returnStock(command) {
      return sql.begin(async (tx) => {
        // The reservation's lock serializes every return of it (and its Confirm and Release);
        // the earlier return under this key is read once the lock is ours, so a retry racing
        // its first try finds it rather than counting again.
        const reservation = await lockReservation(tx, command.checkoutId);
        if (!reservation) throw reservationNotFound(command.checkoutId);
        const earlier = await findStockReturn(tx, command.key);
        if (earlier) return { stockReturn: sameReturn(earlier, command), reservation };
        checkReturnable(reservation, command.lines);
        const now = clock.now();
        // The key is unique across reservations: a return of another checkout under it that
        // committed meanwhile makes this insert do nothing, and that return decides the answer.
        const [inserted] = await tx<{ return_key: string }[]>`
          insert into stock_returns (return_key, reservation_id, reason, created_at)
          values (${command.key}, ${reservation.id}, ${command.reason}, ${now})
          on conflict (return_key) do nothing
          returning return_key`;
        if (!inserted) {
          const winner = await findStockReturn(tx, command.key);
          if (!winner) throw new Error(`stock return ${command.key} vanished after a conflict`);
          // Another checkout's (this one's would have been found under the lock): refused as a reused key.
          return { stockReturn: sameReturn(winner, command), reservation };
        }
        const lineRows = command.lines.map((l) => ({
          return_key: command.key,
          product_id: l.productId,
          quantity: l.quantity,
        }));
        await tx`insert into stock_return_lines ${tx(lineRows)}`;
        await lockStock(
          tx,
          command.lines.map((l) => l.productId),
        );
        // Pipelined: the reservation and stock rows are locked already. The check constraint on
        // `returned` refuses a line giving back more than it sold, should the decision be wrong.
        await Promise.all(
          command.lines.flatMap(({ productId, quantity }) => [
            tx`
              update reservation_lines set returned = returned + ${quantity}
              where reservation_id = ${reservation.id} and product_id = ${productId}`,
            tx`
              update stock set available = available + ${quantity}, updated_at = ${now}
              where product_id = ${productId}`,
          ]),
        );
        const stockReturn: StockReturn = {
          key: command.key,
          checkoutId: command.checkoutId,
          lines: command.lines,
          reason: command.reason,
          createdAt: now,
        };
        return { stockReturn, reservation: withReturned(reservation, command.lines) };
      });
    },

    adjustStock: (adjustment) => adjustStockInPostgres(sql, clock, adjustment),

    async getStock(productIds) {
      const rows =
        productIds.length === 0
          ? await sql<StockRow[]>`select product_id, available, reserved from stock order by product_id`
          : await sql<StockRow[]>`
              select product_id, available, reserved from stock
              where product_id in ${sql(productIds)}
              order by product_id`;
      return rows.map(toStockLevel);
    },

    async expireDue(limit) {
      return sql.begin(async (tx) => {
        const now = clock.now();
        const due = await tx<{ id: string }[]>`
          select id from reservations
          where status = 'HELD' and expires_at <= ${now}
          order by expires_at
          limit ${limit}
          for update skip locked`;
        if (due.length === 0) return 0;
        const ids = due.map((r) => r.id);
        const held = await tx<{ product_id: string; quantity: number }[]>`
          select product_id, sum(quantity)::int as quantity
          from reservation_lines
          where reservation_id in ${tx(ids)}
          group by product_id`;
        await moveHeldStock(
          tx,
          held.map((r) => ({ productId: r.product_id, quantity: r.quantity })),
          returnsToAvailable.EXPIRED,
          now,
        );
        await tx`
          update reservations
          set status = 'EXPIRED', release_reason = ${EXPIRED_REASON}, updated_at = ${now}
          where id in ${tx(ids)}`;
        return ids.length;
      });
    },
  };
}

/** Ends a HELD reservation (already locked by the caller) and moves its stock accordingly. */
async function endHold(
  tx: postgres.TransactionSql,
  reservation: Reservation,
  to: EndedStatus,
  reason: string | null,
  now: Date,
): Promise<Reservation> {
  // Pipelined: the reservation row is locked already, neither write waits on the other.
  await Promise.all([
    moveHeldStock(tx, reservation.lines, returnsToAvailable[to], now),
    tx`
      update reservations
      set status = ${to}, release_reason = ${reason}, updated_at = ${now}
      where id = ${reservation.id}`,
  ]);
  return { ...reservation, status: to };
}

/** Takes held quantities out of `reserved`, and back into `available` unless they were sold. */
async function moveHeldStock(
  tx: postgres.TransactionSql,
  lines: StockLine[],
  backToAvailable: boolean,
  now: Date,
): Promise<void> {
  if (lines.length === 0) return;
  await lockStock(
    tx,
    lines.map((l) => l.productId),
  );
  // Pipelined: the rows are locked already.
  await Promise.all(
    lines.map(
      ({ productId, quantity }) => tx`
        update stock
        set reserved = reserved - ${quantity},
            available = available + ${backToAvailable ? quantity : 0},
            updated_at = ${now}
        where product_id = ${productId}`,
    ),
  );
}

/** Locks the products' stock rows in product id order (the one order every path uses); returns what is available. */
async function lockStock(tx: postgres.TransactionSql, productIds: string[]): Promise<Map<string, number>> {
  const rows = await tx<{ product_id: string; available: number }[]>`
    select product_id, available from stock
    where product_id in ${tx(productIds)}
    order by product_id
    for update`;
  return new Map(rows.map((r) => [r.product_id, r.available]));
}

async function findReservation(db: Queryable, checkoutId: string): Promise<Reservation | undefined> {
  const [row] = await db<ReservationRow[]>`
    select id, checkout_id, status, expires_at from reservations
    where checkout_id = ${checkoutId}`;
  return row && toReservation(row, await loadLines(db, row.id));
}

async function lockReservation(tx: postgres.TransactionSql, checkoutId: string): Promise<Reservation | undefined> {
  // Both sent at once, yet read in order: one connection runs its statements one after another,
  // so the lines (whose `returned` changes under this lock) are read once the lock is granted.
  const [[row], lines] = await Promise.all([
    tx<ReservationRow[]>`
      select id, checkout_id, status, expires_at from reservations
      where checkout_id = ${checkoutId}
      for update`,
    tx<LineRow[]>`
      select l.product_id, l.quantity, l.returned from reservation_lines l
      join reservations r on r.id = l.reservation_id
      where r.checkout_id = ${checkoutId}
      order by l.product_id`,
  ]);
  return row && toReservation(row, lines);
}

async function loadLines(db: Queryable, reservationId: string): Promise<LineRow[]> {
  return db<LineRow[]>`
    select product_id, quantity, returned from reservation_lines
    where reservation_id = ${reservationId}
    order by product_id`;
}

async function findStockReturn(db: Queryable, key: string): Promise<StockReturn | undefined> {
  const [row] = await db<{ checkout_id: string; reason: string; created_at: Date }[]>`
    select r.checkout_id, s.reason, s.created_at from stock_returns s
    join reservations r on r.id = s.reservation_id
    where s.return_key = ${key}`;
  if (!row) return undefined;
  const lines = await db<{ product_id: string; quantity: number }[]>`
    select product_id, quantity from stock_return_lines
    where return_key = ${key}
    order by product_id`;
  return {
    key,
    checkoutId: row.checkout_id,
    lines: lines.map((l) => ({ productId: l.product_id, quantity: l.quantity })),
    reason: row.reason,
    createdAt: row.created_at,
  };
}

interface StockRow {
  product_id: string;
  available: number;
  reserved: number;
}

const toStockLevel = (r: StockRow): StockLevel => ({
  productId: r.product_id,
  available: r.available,
  reserved: r.reserved,
});

interface LineRow {
  product_id: string;
  quantity: number;
  returned: number;
}

const toReservation = (r: ReservationRow, lines: LineRow[]): Reservation => ({
  id: r.id,
  checkoutId: r.checkout_id,
  status: r.status,
  lines: lines.map((l) => ({ productId: l.product_id, quantity: l.quantity })),
  returned: lines.filter((l) => l.returned > 0).map((l) => ({ productId: l.product_id, quantity: l.returned })),
  expiresAt: r.expires_at,
});
