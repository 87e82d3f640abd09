import { type SagaStepBody, type StepContext, type StepResult, waitFor } from "@checkout-saga/shared";
import type {
  CancellationFailure,
  CancellationPatch,
  CancellationRecord,
  PointsReturnPort,
  RefundPort,
  StockReturnPort,
} from "./ports.js";

/** What the cancellation saga's steps call. */
export interface CancellationStepDeps {
  payments: RefundPort;
  points: PointsReturnPort;
  inventory: StockReturnPort;
}

export type CancellationStepContext = StepContext<CancellationRecord, CancellationPatch, CancellationStepDeps>;
export type CancellationStepResult = StepResult<CancellationPatch, CancellationFailure>;
/** A step of the cancellation saga, as its file holds it (the definition places it: state, retries, pivot). */
export type CancellationStep = SagaStepBody<
  CancellationRecord,
  CancellationPatch,
  CancellationStepDeps,
  CancellationFailure
>;

/**
 * A step that could not finish in this drive: flagged as needing attention and left in its
 * state, where recovery tries it again (its calls are idempotent by the cancellation id). It is
 * never dropped: past the refund the cancellation only moves forward.
 */
export async function flagAndWait(ctx: CancellationStepContext, why: string): Promise<CancellationStepResult> {
  await ctx.save({ needsAttention: true });
  return waitFor(why);
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
