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
import { findShortages, outOfStock } from "../domain/stock-shortage.js";

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
            return { id: tombstone.id, checkoutId, status: "RELEASED" as const, lines: [], expiresAt: now };
          }
          // A Reserve committed in between: release what it holds.
          reservation = await lockReservation(tx, checkoutId);
          if (!reservation) throw new Error(`reservation of checkout ${checkoutId} vanished after a conflict`);
        }
        if (decideRelease(reservation) === "unchanged") return reservation;
        return endHold(tx, reservation, "RELEASED", releaseReason(reason), clock.now());
      });
    },

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
  // Both sent at once: a reservation's lines never change, so they need not wait for its lock.
  const [[row], lines] = await Promise.all([
    tx<ReservationRow[]>`
      select id, checkout_id, status, expires_at from reservations
      where checkout_id = ${checkoutId}
      for update`,
    tx<{ product_id: string; quantity: number }[]>`
      select l.product_id, l.quantity from reservation_lines l
      join reservations r on r.id = l.reservation_id
      where r.checkout_id = ${checkoutId}
      order by l.product_id`,
  ]);
  return (
    row &&
    toReservation(
      row,
      lines.map((r) => ({ productId: r.product_id, quantity: r.quantity })),
    )
  );
}

async function loadLines(db: Queryable, reservationId: string): Promise<StockLine[]> {
  const rows = await db<{ product_id: string; quantity: number }[]>`
    select product_id, quantity from reservation_lines
    where reservation_id = ${reservationId}
    order by product_id`;
  return rows.map((r) => ({ productId: r.product_id, quantity: r.quantity }));
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

const toReservation = (r: ReservationRow, lines: StockLine[]): Reservation => ({
  id: r.id,
  checkoutId: r.checkout_id,
  status: r.status,
  lines,
  expiresAt: r.expires_at,
});
