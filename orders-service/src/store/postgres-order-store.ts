import { newTimeOrderedId, type Sql } from "@checkout-saga/shared";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import type { Order, OrderLine } from "../domain/order.js";
import { needsTransition } from "../domain/order-status.js";
import type { OrderStore } from "../domain/order-store.js";
import { orderLines, orders } from "./schema.js";

type OrderRow = typeof orders.$inferSelect;
type LineRow = typeof orderLines.$inferSelect;

/** Orders in PostgreSQL (migrated beforehand by migrateOrdersDatabase). */
export function createPostgresOrderStore(client: Sql): OrderStore {
  const db = drizzle(client);
  type Db = Pick<typeof db, "select">;

  async function withLines(db: Db, rows: OrderRow[]): Promise<Order[]> {
    if (rows.length === 0) return [];
    const lines = await db
      .select()
      .from(orderLines)
      .where(
        inArray(
          orderLines.orderId,
          rows.map((r) => r.id),
        ),
      )
      .orderBy(asc(orderLines.orderId), asc(orderLines.lineNo));
    const byOrder = new Map<string, LineRow[]>();
    for (const l of lines) {
      const group = byOrder.get(l.orderId);
      if (group) group.push(l);
      else byOrder.set(l.orderId, [l]);
    }
    return rows.map((r) => toOrder(r, byOrder.get(r.id) ?? []));
  }

  return {
    async place(draft) {
      return db.transaction(async (tx) => {
        const [inserted] = await tx
          .insert(orders)
          .values({
            id: newTimeOrderedId(),
            checkoutId: draft.checkoutId,
            userId: draft.userId,
            status: "CONFIRMED",
            currency: draft.total.currency,
            totalMinor: draft.total.amountMinor,
            paymentId: draft.paymentId,
            shippingAddress: draft.shippingAddress,
            sourceEventId: draft.sourceEventId,
            checkoutCompletedAt: draft.checkoutCompletedAt,
          })
          .onConflictDoNothing({ target: orders.checkoutId })
          .returning({ id: orders.id });
        if (inserted) {
          await tx.insert(orderLines).values(
            draft.lines.map((line, i) => ({
              orderId: inserted.id,
              lineNo: i + 1,
              productId: line.productId,
              name: line.name,
              quantity: line.quantity,
              currency: line.unitPrice.currency,
              unitPriceMinor: line.unitPrice.amountMinor,
            })),
          );
          return { orderId: inserted.id, created: true };
        }
        // The conflicting insert waited for the other transaction, so its row is visible now.
        const [existing] = await tx
          .select({ id: orders.id })
          .from(orders)
          .where(eq(orders.checkoutId, draft.checkoutId));
        if (!existing) throw new Error(`order for checkout ${draft.checkoutId} conflicted but cannot be read`);
        return { orderId: existing.id, created: false };
      });
    },

    async get(id) {
      const rows = await db.select().from(orders).where(eq(orders.id, id));
      return (await withLines(db, rows))[0];
    },

    async list({ userId, checkoutId, limit, after }) {
      const rows = await db
        .select()
        .from(orders)
        .where(
          and(
            eq(orders.userId, userId),
            checkoutId === undefined ? undefined : eq(orders.checkoutId, checkoutId),
            after === undefined
              ? undefined
              : sql`(${orders.createdAt}, ${orders.id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`,
          ),
        )
        .orderBy(desc(orders.createdAt), desc(orders.id))
        .limit(limit + 1);
      const page = await withLines(db, rows.slice(0, limit));
      const last = page.at(-1);
      return {
        orders: page,
        next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : undefined,
      };
    },

    async updateStatus(id, status) {
      return db.transaction(async (tx) => {
        // Row lock: two concurrent updates see each other's result instead of both passing the check.
        const [row] = await tx.select().from(orders).where(eq(orders.id, id)).for("update");
        if (!row) return undefined;
        if (!needsTransition(id, row.status, status)) return (await withLines(tx, [row]))[0];
        const [updated] = await tx
          .update(orders)
          .set({ status, updatedAt: sql`now()` })
          .where(eq(orders.id, id))
          .returning();
        return (await withLines(tx, [updated!]))[0];
      });
    },
  };
}

function toOrder(r: OrderRow, lines: LineRow[]): Order {
  return {
    id: r.id,
    checkoutId: r.checkoutId,
    userId: r.userId,
    status: r.status,
    total: { currency: r.currency, amountMinor: r.totalMinor },
    lines: lines.map(
      (l): OrderLine => ({
        productId: l.productId,
        name: l.name,
        quantity: l.quantity,
        unitPrice: { currency: l.currency, amountMinor: l.unitPriceMinor },
      }),
    ),
    shippingAddress: r.shippingAddress,
    paymentId: r.paymentId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
