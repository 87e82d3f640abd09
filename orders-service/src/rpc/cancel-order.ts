import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { actingUser, callActor, isUuid } from "@checkout-saga/shared";
import {
  type CancelOrderRequest,
  type CancelOrderResponse,
  CancelOrderResponseSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import type { HandlerContext } from "@connectrpc/connect";
import type { CancellationCommands } from "../cancellation/cancellation-commands.js";
import type { Cancellation } from "../cancellation/cancellation-saga.js";
import { orderNotFound } from "../domain/not-found.js";
import { toCustomerCancellationMessage } from "./order-message.js";

/** CancelOrder's answer for a cancellation as a drive left it; these bytes are what its key replays. */
export function encodeCancelResponse(c: Cancellation): Uint8Array {
  return toBinary(
    CancelOrderResponseSchema,
    create(CancelOrderResponseSchema, {
      cancellation: toCustomerCancellationMessage(c),
      replayed: false,
    }),
  );
}

/**
 * CancelOrder: the acting user's order (any order for an admin), an unknown or malformed id
 * reported like another user's. The answer is the cancellation as this call left it.
 */
export async function cancelOrder(
  commands: CancellationCommands,
  req: CancelOrderRequest,
  ctx: HandlerContext,
): Promise<CancelOrderResponse> {
  if (!isUuid(req.orderId)) {
    throw orderNotFound(req.orderId);
  }
  const userId = actingUser(ctx);
  const result = await commands.cancel({
    request: {
      orderId: req.orderId.toLowerCase(),
      ...(req.lines.length > 0
        ? { lines: req.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })) }
        : {}),
      reason: req.reason,
    },
    userId: userId === "" ? undefined : userId,
    // The user the call acts for owns the key (keys are scoped to the user); an admin's call, its asserted admin.
    requestedBy: userId === "" ? callActor(ctx) : `user:${userId}`,
    idempotencyKey: req.idempotencyKey,
  });
  const bytes = result.kind === "replayed" ? result.response : encodeCancelResponse(result.cancellation);
  return { ...fromBinary(CancelOrderResponseSchema, bytes), replayed: result.kind === "replayed" };
}
