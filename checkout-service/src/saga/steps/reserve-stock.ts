import { errorDetail } from "@checkout-saga/shared";
import {
  compensateWith,
  errorMessage,
  rethrowIfStopped,
  type StepContext,
  type StepOutcome,
  type Undo,
} from "../saga-step.js";

/** INITIATED → INVENTORY_RESERVED: hold the checkout's lines (keyed by checkout id). */
export async function reserveStock(ctx: StepContext): Promise<StepOutcome> {
  const { session } = ctx;
  try {
    const { reservationId } = await ctx.call(() =>
      ctx.inventory.reserve(
        session.id,
        session.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
      ),
    );
    ctx.faults.reached("after-reserve");
    return { kind: "move", to: "INVENTORY_RESERVED", reason: "stock reserved", patch: { reservationId } };
  } catch (err) {
    rethrowIfStopped(err);
    const detail = errorDetail(err);
    if (detail?.reason === "OUT_OF_STOCK") {
      const shortages = detail.lines.map((l) => ({
        productId: l.productId,
        requested: l.requested,
        available: l.available,
      }));
      return compensateWith("OUT_OF_STOCK", "not enough stock for some lines", { shortages });
    }
    return compensateWith("STEP_FAILED", `could not reserve stock: ${errorMessage(err)}`);
  }
}

/** Undo of reserveStock: give the held stock back. Safe to repeat, and when nothing is held. */
export const releaseStock: Undo = {
  async undo(ctx) {
    await ctx.inventory.release(ctx.session.id, "checkout compensation");
    return "stock released";
  },
};
