import { isCircuitOpen } from "../clients/circuit-breaker-interceptor.js";
import type { CheckoutSession } from "../domain/checkout-session.js";
import { type BackoffPolicy, backoffDelay } from "./retry.js";
import { errorMessage, rethrowIfStopped, type StepContext, type StepOutcome, type Undo } from "./saga-step.js";
import { refundPayment } from "./steps/charge-payment.js";
import { releaseStock } from "./steps/reserve-stock.js";

/**
 * The undos to run, newest step first, for whatever may have happened before compensation
 * began. A step that failed definitively (OUT_OF_STOCK, PAYMENT_DECLINED) changed nothing;
 * one whose answer was lost may have, so it is undone too (undos are idempotent).
 */
export function undoPlan(session: CheckoutSession): Undo[] {
  const from = session.history.findLast((t) => t.to === "COMPENSATING")?.from ?? "PAYMENT_COMPLETED";
  const code = session.failure?.code;
  const mayHoldStock = from !== "INITIATED" || code !== "OUT_OF_STOCK";
  const mayHaveCharged = from === "PAYMENT_COMPLETED" || (from === "PAYMENT_PENDING" && code !== "PAYMENT_DECLINED");
  return [...(mayHaveCharged ? [refundPayment] : []), ...(mayHoldStock ? [releaseStock] : [])];
}

/**
 * COMPENSATING → FAILED: runs the undo plan, retrying whole passes with backoff. After
 * `policy.attempts` failed passes (counted across restarts) the checkout stays COMPENSATING,
 * flagged as needing attention; it is never marked FAILED with something left undone.
 */
export async function compensate(ctx: StepContext, policy: BackoffPolicy): Promise<StepOutcome> {
  const plan = undoPlan(ctx.session);
  let attempts = ctx.session.compensationAttempts;
  for (;;) {
    try {
      const done: string[] = [];
      for (const step of plan) {
        done.push(await step.undo(ctx));
        if (done.length === 1) ctx.faults.reached("during-compensation");
      }
      return {
        kind: "move",
        to: "FAILED",
        reason: done.length > 0 ? `compensated: ${done.join(", ")}` : "compensated: nothing to undo",
        patch: { needsAttention: false },
      };
    } catch (err) {
      rethrowIfStopped(err);
      // An open circuit says the downstream is known to be down, not that the undo failed:
      // wait for the breaker's trial call instead of spending an attempt (a restart shorter
      // than the cooldown would otherwise use them all up and flag the checkout).
      if (isCircuitOpen(err)) {
        await ctx.pause(policy.maxDelayMs);
        continue;
      }
      attempts++;
      const needsAttention = attempts >= policy.attempts;
      await ctx.save({ compensationAttempts: attempts, needsAttention });
      if (needsAttention) {
        return { kind: "wait", reason: `compensation failed ${attempts} times: ${errorMessage(err)}` };
      }
      await ctx.pause(backoffDelay(attempts, policy));
    }
  }
}
