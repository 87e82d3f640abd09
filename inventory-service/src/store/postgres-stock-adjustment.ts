import { newTimeOrderedId, type Sql } from "@checkout-saga/shared";
import type { Clock } from "../domain/clock.js";
import type { StockLevel } from "../domain/reservation.js";
import { adjustedStock, replayedAdjustment, type StockAdjustment } from "../domain/stock-adjustment.js";

/**
 * AdjustStock on PostgreSQL: the product's stock row (made at 0 when it has none) is locked,
 * the new level decided from what it holds, then written with the adjustment's record in the
 * same transaction, so a concurrent Reserve cannot slip between the check and the write. A keyed
 * adjustment already recorded changes nothing and answers the stock as it is.
 */
export async function adjustStockInPostgres(sql: Sql, clock: Clock, a: StockAdjustment): Promise<StockLevel> {
  return sql.begin(async (tx) => {
    const now = clock.now();
    await tx`
      insert into stock (product_id, available, reserved, updated_at) values (${a.productId}, 0, 0, ${now})
      on conflict (product_id) do nothing`;
    const [row] = await tx<{ available: number; reserved: number }[]>`
      select available, reserved from stock where product_id = ${a.productId} for update`;
    if (!row) throw new Error(`stock row of product ${a.productId} vanished after its insert`);
    // Checked under the row lock: a concurrent retry with the key waits here and then sees it.
    if (a.key !== undefined) {
      const [recorded] = await tx<{ adjust: number; reason: string }[]>`
        select adjust, reason from stock_adjustments where product_id = ${a.productId} and adjustment_key = ${a.key}`;
      if (recorded) {
        replayedAdjustment(recorded, a);
        return { productId: a.productId, ...row };
      }
    }
    const next = adjustedStock({ productId: a.productId, ...row }, a.adjust);
    await tx`update stock set available = ${next.available}, updated_at = ${now} where product_id = ${a.productId}`;
    await tx`
      insert into stock_adjustments (id, product_id, adjust, reason, actor, adjustment_key, created_at)
      values (${newTimeOrderedId()}, ${a.productId}, ${a.adjust}, ${a.reason}, ${a.actor}, ${a.key ?? null}, ${now})`;
    return next;
  });
}
