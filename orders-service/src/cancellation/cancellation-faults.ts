import type { SagaFaults } from "@checkout-saga/shared";

/**
 * Where a fault drill can make orders-service die: each between a downstream effect and the
 * commit that records it.
 * - `after-refund`: Refund answered (money given back), REFUNDED not committed.
 * - `after-points-return`: ReturnPoints answered (points given back), POINTS_RETURNED not committed.
 * - `after-return`: ReturnStock answered (units back), STOCK_RETURNED and COMPLETED not committed.
 */
export const CRASH_POINTS = ["after-refund", "after-points-return", "after-return"] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

/**
 * ORDERS_CRASH_AT's hook: kills this process with SIGKILL when the saga reaches `point` — no
 * shutdown, no lease release — so a test can prove a restart finishes the cancellation once.
 */
export function crashAt(point: CrashPoint): SagaFaults {
  return {
    reached(at) {
      if (at === point) process.kill(process.pid, "SIGKILL");
    },
  };
}
