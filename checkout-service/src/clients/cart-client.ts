import { create } from "@bufbuild/protobuf";
import { createServiceClient, type RetryPolicy, withRetry } from "@checkout-saga/shared";
import { CartService, ClaimLineSchema } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import type { Transport } from "@connectrpc/connect";
import type { CartClaimPort, CartPort } from "../saga/ports.js";
import { lookupFailure } from "./lookup-failure.js";

/**
 * CartService over Connect: the cart lookup made while the customer waits (its own short retry;
 * failures become lookup errors), and the claims the saga's first step makes and undoes (retried
 * by the step's policy; errors reach the step as they are).
 */
export function createCartClient(
  transport: Transport,
  timeoutMs: number,
  retry: RetryPolicy,
): CartPort & CartClaimPort {
  const client = createServiceClient(CartService, transport);
  const toLines = (lines: Array<{ productId: string; quantity: number }>) =>
    lines.map((l) => ({ productId: l.productId, quantity: l.quantity }));
  return {
    async getCart(userId) {
      try {
        const res = await withRetry(() => client.getCart({ userId }, { timeoutMs }), retry);
        return {
          currency: res.cart?.currency ?? "",
          lines: toLines(res.cart?.items ?? []),
          held: (res.cart?.claims ?? []).map((c) => ({ checkoutId: c.checkoutId, lines: toLines(c.lines) })),
        };
      } catch (err) {
        throw lookupFailure("cart", err);
      }
    },
    async claim(userId, checkoutId, lines) {
      await client.claimCartLines(
        { userId, checkoutId, lines: lines.map((l) => create(ClaimLineSchema, l)) },
        { timeoutMs },
      );
    },
    async release(userId, checkoutId) {
      await client.releaseCartClaim({ userId, checkoutId }, { timeoutMs });
    },
  };
}
