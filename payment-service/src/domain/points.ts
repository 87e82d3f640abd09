import type { Amount } from "@checkout-saga/shared";
import type { PointsLot } from "./points-lots.js";

/** Why the balance changed; `taken_back` may carry a shortfall (see takeBackReason). */
export type PointsReason = "earned" | "redeemed" | "returned" | "taken_back" | "expired";

/** One append-only change of a user's balance. */
export interface PointsEntry {
  /** Signed: earned and returned points are positive, redeemed, taken-back and expired negative. */
  delta: number;
  reason: string;
  checkoutId?: string;
  orderId?: string;
  at: Date;
}

export interface PointsAccount {
  balance: number;
  /** Spendable lots, soonest expiry first. */
  lots: PointsLot[];
  /** Newest first. */
  history: PointsEntry[];
}

export type RedemptionStatus = "REDEEMED" | "RETURNED" | "VOIDED";

export interface Redemption {
  redemptionKey: string;
  /** Empty for a redemption voided before it was made (the void names no user). */
  userId: string;
  checkoutId: string;
  points: number;
  returned: number;
  status: RedemptionStatus;
  createdAt: Date;
}

export interface RedeemRequest {
  userId: string;
  redemptionKey: string;
  points: number;
  checkoutId: string;
}

export interface ReturnRequest {
  redemptionKey: string;
  /** Undefined: all that is not yet returned. */
  points?: number;
  returnKey?: string;
  reason: string;
  orderId?: string;
}

export interface ReturnOutcome {
  redemption: Redemption;
  returnedNow: number;
}

/** A CheckoutCompleted, as it concerns points. */
export interface CompletedCheckout {
  eventId: string;
  checkoutId: string;
  userId: string;
  charged: Amount;
  completedAt: Date;
}

/** An OrderCancelled, as it concerns the points its checkout earned. */
export interface OrderCancellation {
  eventId: string;
  cancellationId: string;
  checkoutId: string;
  orderId: string;
  userId: string;
  /** What it refunded of the checkout's charge, in yen (0 when the refund is in another currency: nothing was earned). */
  refundedMinor: number;
  /** The order is CANCELLED after it. */
  ordersLastLines: boolean;
}

/**
 * The points ledger. Every method is one transaction; changes of one user's points are
 * serialised, so the balance never goes negative whatever runs at once.
 */
export interface PointsLedger {
  account(userId: string, historyLimit: number): Promise<PointsAccount>;
  /** Idempotent by redemption key (see PointsService.RedeemPoints). */
  redeem(request: RedeemRequest): Promise<Redemption>;
  /** Idempotent by (redemption key, return key) (see PointsService.ReturnPoints). */
  giveBack(request: ReturnRequest): Promise<ReturnOutcome>;
  /** Earns the checkout's lot, once per checkout, and applies cancellations that arrived before it. */
  earn(checkout: CompletedCheckout): Promise<{ earned: number; created: boolean }>;
  /** Takes back the cancellation's share of what its checkout earned, once; recorded to apply on the earn when that comes later. */
  takeBack(cancellation: OrderCancellation): Promise<{ takenBack: number; shortfall: number; pending: boolean }>;
  /** Expires up to `limit` lots past their expiry still holding points; answers how many. */
  expireLots(limit: number): Promise<number>;
}
