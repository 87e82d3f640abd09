import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { actingUser } from "@checkout-saga/shared";
import {
  type CartClaim as CartClaimMessage,
  CartClaimSchema,
  CartItemSchema,
  type Cart as CartMessage,
  CartSchema,
  CartService,
  ClaimLineSchema,
  ClaimState as ClaimStateMessage,
} from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import type { ConnectRouter } from "@connectrpc/connect";
import type { Cart, CartClaim, ClaimState } from "../domain/cart.js";
import type { Carts } from "../domain/carts.js";

/**
 * The cart of the user the call acts for (cart-call-policy.ts), never simply the request's
 * `user_id`; only GetCartClaim, admin only, reads the user the request names.
 */
export function cartRoutes(carts: Carts) {
  return (router: ConnectRouter) =>
    router.service(CartService, {
      async getCart(_req, ctx) {
        return { cart: toMessage(await carts.getCart(actingUser(ctx))) };
      },
      async addItem(req, ctx) {
        return { cart: toMessage(await carts.addItem(actingUser(ctx), req.productId, req.quantity)) };
      },
      async updateQuantity(req, ctx) {
        return { cart: toMessage(await carts.updateQuantity(actingUser(ctx), req.productId, req.quantity)) };
      },
      async removeItem(req, ctx) {
        return { cart: toMessage(await carts.removeItem(actingUser(ctx), req.productId)) };
      },
      async clearCart(_req, ctx) {
        return { cart: toMessage(await carts.clearCart(actingUser(ctx))) };
      },
      async setCartCurrency(req, ctx) {
        return { cart: toMessage(await carts.setCurrency(actingUser(ctx), req.currency)) };
      },
      async claimCartLines(req, ctx) {
        const lines = req.lines.map((l) => ({ productId: l.productId, quantity: l.quantity }));
        return { claim: toClaimMessage(await carts.claimLines(actingUser(ctx), req.checkoutId, lines)) };
      },
      async releaseCartClaim(req, ctx) {
        await carts.releaseClaim(actingUser(ctx), req.checkoutId);
        return {};
      },
      async getCartClaim(req) {
        const claim = await carts.getClaim(req.userId, req.checkoutId);
        if (!claim) return { state: ClaimStateMessage.UNKNOWN };
        return {
          state: CLAIM_STATES[claim.state],
          lines: claim.lines.map(toClaimLineMessage),
          changedAt: timestampFromDate(claim.at),
        };
      },
    });
}

function toMessage(cart: Cart): CartMessage {
  return create(CartSchema, {
    userId: cart.userId,
    currency: cart.currency,
    items: cart.items.map((l) =>
      create(CartItemSchema, { productId: l.productId, quantity: l.quantity, addedAt: timestampFromDate(l.addedAt) }),
    ),
    updatedAt: cart.updatedAt && timestampFromDate(cart.updatedAt),
    claims: cart.claims.map(toClaimMessage),
  });
}

const CLAIM_STATES: Record<ClaimState, ClaimStateMessage> = {
  held: ClaimStateMessage.HELD,
  settled: ClaimStateMessage.SETTLED,
  released: ClaimStateMessage.RELEASED,
};

function toClaimMessage(claim: CartClaim): CartClaimMessage {
  return create(CartClaimSchema, { checkoutId: claim.checkoutId, lines: claim.lines.map(toClaimLineMessage) });
}

function toClaimLineMessage(line: CartClaim["lines"][number]) {
  return create(ClaimLineSchema, { productId: line.productId, quantity: line.quantity });
}
