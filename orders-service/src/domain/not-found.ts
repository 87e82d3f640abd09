import { notFound } from "@checkout-saga/shared";

// The orders service's NOT_FOUND answers, built in one place.

export const orderNotFound = (orderId: string) =>
  notFound("ORDER_NOT_FOUND", `order ${orderId} does not exist`, { metadata: { order_id: orderId } });

export const cancellationNotFound = (cancellationId: string) =>
  notFound("CANCELLATION_NOT_FOUND", `cancellation ${cancellationId} does not exist`, {
    metadata: { cancellation_id: cancellationId },
  });
