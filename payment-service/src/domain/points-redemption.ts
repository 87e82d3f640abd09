import { failedPrecondition } from "@checkout-saga/shared";
import type { RedeemRequest, Redemption, RedemptionStatus } from "./points.js";

/**
 * What a repeat of RedeemPoints answers: the redemption under its key, unless the key was used
 * for another user or number of points (a voided key answers its void, whatever was asked).
 */
export function repeatedRedemption(existing: Redemption, request: RedeemRequest): Redemption {
  if (existing.status === "VOIDED") return existing;
  if (existing.userId !== request.userId || existing.points !== request.points) {
    throw failedPrecondition(
      "REDEMPTION_KEY_REUSED",
      `redemption_key ${request.redemptionKey} was already used for another redemption`,
      { metadata: { redemption_key: request.redemptionKey } },
    );
  }
  return existing;
}

/** A repeat of a return under its key: refused when it names another number of points. */
export function checkRepeatedReturn(
  earlier: { requested: number },
  request: { returnKey: string; points: number },
): void {
  if (earlier.requested !== request.points) {
    throw failedPrecondition(
      "RETURN_KEY_REUSED",
      `return_key ${request.returnKey} was already used for another return`,
      {
        metadata: { return_key: request.returnKey },
      },
    );
  }
}

export function redemptionStatus(points: number, returned: number): RedemptionStatus {
  return returned === points ? "RETURNED" : "REDEEMED";
}
