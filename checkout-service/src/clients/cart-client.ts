import { createServiceClient, createServiceTransport, type RetryPolicy, withRetry } from "@checkout-saga/shared";
import { CartService } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import type { Interceptor } from "@connectrpc/connect";
import type { CartPort } from "../saga/ports.js";
import { lookupFailure } from "./lookup-failure.js";

export function createCartClient(
  baseUrl: string,
  timeoutMs: number,
  retry: RetryPolicy,
  interceptors: Interceptor[] = [],
): CartPort {
  const client = createServiceClient(CartService, createServiceTransport(baseUrl, interceptors));
  return {
    async getLines(userId) {
      try {
        const res = await withRetry(() => client.getCart({ userId }, { timeoutMs }), retry);
        return (res.cart?.items ?? []).map((i) => ({ productId: i.productId, quantity: i.quantity }));
      } catch (err) {
        throw lookupFailure("cart", err);
      }
    },
  };
}
