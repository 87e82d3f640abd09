import type { SagaFaults } from "@checkout-saga/shared";

/**
 * Points in the saga where a fault drill can make the process die: the moments that matter for
 * recovery, each between a downstream effect and the commit that records it.
 * - `after-redeem`: RedeemPoints answered (the points are taken), POINTS_REDEEMED not committed.
 * - `after-reserve`: Reserve answered (stock is held), INVENTORY_RESERVED not committed.
 * - `during-charge`: Charge was sent and answered, the answer not yet looked at (as if it were
 *   lost on the wire).
 * - `after-charge`: the charge succeeded and the saga decided so, PAYMENT_COMPLETED not committed.
 * - `during-compensation`: the first undo (refund or release) is done, the rest and FAILED not.
 * - `during-redeem-compensation`: ReturnPoints answered (the points are back), the undos after
 *   it and FAILED not.
 */
export const CRASH_POINTS = [
  "after-redeem",
  "after-reserve",
  "during-charge",
  "after-charge",
  "during-compensation",
  "during-redeem-compensation",
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

export { noFaults, type SagaFaults } from "@checkout-saga/shared";

/**
 * CHECKOUT_CRASH_AT's hook: kills this process with SIGKILL when the saga reaches `point` — no
 * shutdown, no lease release, no flush — so tests can prove a restart picks up the pieces.
 */
export function crashAt(point: CrashPoint): SagaFaults {
  return {
    reached(at) {
      if (at === point) process.kill(process.pid, "SIGKILL");
    },
  };
}
