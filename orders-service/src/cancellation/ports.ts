import type { Amount, EnginePatch, SagaFailure, SagaInstance } from "@checkout-saga/shared";
import type { LineQuantity } from "../domain/cancellation.js";
import type { OrderLine } from "../domain/order.js";

/** Why a cancellation failed: REFUND_REFUSED (the payment service said no; nothing was taken back). */
export type CancellationFailure = SagaFailure;

/** One cancellation as persisted: the saga's instance, with what its steps need to resume after a restart. */
export interface CancellationRecord<State extends string = string> extends SagaInstance<State, CancellationFailure> {
  orderId: string;
  /** The order's user: the events' key. */
  userId: string;
  checkoutId: string;
  /** The order's payment; "" for an order nothing was charged for. */
  paymentId: string;
  /** `user:<id>` of the customer or admin who asked, `service:<name>` for a service. */
  requestedBy: string;
  reason: string;
  /** The units taken back, at the prices they were bought for. */
  lines: OrderLine[];
  refund: Amount;
  /** Redeemed points it gives back (the lines' value not refunded in money); 0 for an order paid without points. */
  pointsReturned: number;
  createdAt: Date;
}

/** What a step (or the engine) saves on a cancellation besides its state. */
export type CancellationPatch = EnginePatch<CancellationFailure>;

/** PaymentService.Refund as the cancellation uses it: a partial refund, idempotent by its key. */
export interface RefundPort {
  /** False when the payment service refunded nothing (a payment voided before it was charged). */
  refund(request: {
    paymentId: string;
    amount: Amount;
    refundKey: string;
    reason: string;
  }): Promise<{ refunded: boolean }>;
}

/** InventoryService.ReturnStock: sold units back in stock, once per key. */
export interface StockReturnPort {
  returnStock(request: { checkoutId: string; returnKey: string; lines: LineQuantity[]; reason: string }): Promise<void>;
}

/** PointsService.ReturnPoints as the cancellation uses it: part of the checkout's redemption given back, once per key. */
export interface PointsReturnPort {
  returnPoints(request: {
    checkoutId: string;
    points: number;
    returnKey: string;
    orderId: string;
    reason: string;
  }): Promise<void>;
}
