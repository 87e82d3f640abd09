import type { Amount } from "@checkout-saga/shared";
import type { CheckoutFailure, KonbiniVoucher, PaymentMethod } from "../domain/checkout-session.js";
import type { CartLine, CatalogEntry } from "../domain/pricing.js";

/**
 * Stock holds, keyed by checkout id. Methods reject with the service's ConnectError (with its
 * ErrorDetail), so the saga can tell OUT_OF_STOCK from a timeout.
 */
export interface InventoryPort {
  /** Idempotent per checkout: a repeat returns the same reservation. Held for `ttlSeconds`. */
  reserve(checkoutId: string, lines: CartLine[], ttlSeconds: number): Promise<{ reservationId: string }>;
  confirm(checkoutId: string): Promise<void>;
  /** Idempotent; a no-op when the checkout holds nothing. */
  release(checkoutId: string, reason: string): Promise<void>;
}

export interface PaymentResult {
  paymentId: string;
  /** expired: a konbini voucher not paid in time; nothing was taken. */
  status: "succeeded" | "declined" | "pending" | "refunded" | "voided" | "expired";
  declineCode?: string;
  declineMessage?: string;
  /** A konbini payment's voucher. */
  konbini?: KonbiniVoucher;
}

export interface PaymentPort {
  /** Idempotent by key: a repeat returns the same payment, never a second charge. A decline is a result. */
  charge(input: {
    idempotencyKey: string;
    checkoutId: string;
    amount: Amount;
    method: PaymentMethod;
  }): Promise<PaymentResult>;
  /** Idempotent: refunding a refunded payment changes nothing. */
  refund(paymentId: string, reason: string): Promise<void>;
  /**
   * Undoes the charge with this key, whether it happened, is still in flight or never came:
   * refunds a succeeded one; otherwise the answer is declined, refunded or voided, and a charge
   * arriving later with the key charges nothing. Idempotent.
   */
  voidCharge(idempotencyKey: string, reason: string): Promise<PaymentResult>;
  /** The payment as it stands now (a pending one past its expiry reads EXPIRED). */
  getPayment(paymentId: string): Promise<PaymentResult>;
}

/** What the points ledger (payment-service's PointsService) answered about a checkout's redemption. */
export type RedemptionStatus = "redeemed" | "returned" | "voided";

/**
 * The user's points, redeemed as a tender; keyed by checkout id (one redemption per checkout).
 * Rejects with the service's ConnectError (with its ErrorDetail), so the saga can tell
 * POINTS_INSUFFICIENT from a timeout.
 */
export interface PointsPort {
  /**
   * Takes `points` from the user's lots. Idempotent by checkout: a repeat answers the same
   * redemption. Fewer points than asked → POINTS_INSUFFICIENT (metadata: requested, balance),
   * nothing taken; a checkout whose redemption was voided answers "voided", nothing taken.
   */
  redeem(input: { userId: string; checkoutId: string; points: number }): Promise<RedemptionStatus>;
  /**
   * Gives back all the checkout's redemption still holds, to the lots it came from. Idempotent;
   * with no redemption yet it voids the key, so one still in flight or arriving later takes nothing.
   */
  returnAll(checkoutId: string, reason: string): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** Fields a step may set on the session. */
export interface SessionPatch {
  reservationId?: string;
  paymentId?: string;
  konbini?: KonbiniVoucher;
  failure?: CheckoutFailure;
  paymentDeadline?: Date;
  needsAttention?: boolean;
  compensationAttempts?: number;
}

/** Lines of a cart that a checkout holds (a held claim). */
export interface HeldLines {
  checkoutId: string;
  lines: CartLine[];
}

/** The user's cart (CartService.GetCart): its lines, and what running or unsettled checkouts hold of them. */
export interface CartPort {
  /** `currency`: the cart's, which every line is priced in. */
  getCart(userId: string): Promise<{ currency: string; lines: CartLine[]; held: HeldLines[] }>;
}

/**
 * Claims on cart lines (the saga's first step): the cart hands claimed quantities to no other
 * checkout. Both idempotent per checkout id; a claim after a release is refused.
 */
export interface CartClaimPort {
  /** All or nothing; rejects with CART_LINES_HELD (ErrorDetail lines, metadata held_by) when short. */
  claim(userId: string, checkoutId: string, lines: CartLine[]): Promise<void>;
  release(userId: string, checkoutId: string): Promise<void>;
}

/** Current catalog prices in a currency (ProductService.GetProducts); unknown ids are left out. */
export interface CatalogPort {
  getProducts(ids: string[], currency: string): Promise<CatalogEntry[]>;
}
