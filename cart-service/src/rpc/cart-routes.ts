import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type CartClaim as CartClaimMessage,
  CartClaimSchema,
  CartItemSchema,
  type Cart as CartMessage,
  CartSchema,
  CartService,
  ClaimLineSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import type { ConnectRouter } from "@connectrpc/connect";
import type { Cart, CartClaim } from "../domain/cart.js";
import type { Carts } from "../domain/carts.js";

export function cartRoutes(carts: Carts) {
  return (router: ConnectRouter) =>
    router.service(CartService, {
      async getCart(req) {
        return { cart: toMessage(await carts.getCart(req.userId)) };
      },
      async addItem(req) {
        return { cart: toMessage(await carts.addItem(req.userId, req.productId, req.quantity)) };
      },
      async updateQuantity(req) {
        return { cart: toMessage(await carts.updateQuantity(req.userId, req.productId, req.quantity)) };
      },
      async removeItem(req) {
        return { cart: toMessage(await carts.removeItem(req.userId, req.productId)) };
      },
      async clearCart(req) {
        return { cart: toMessage(await carts.clearCart(req.userId)) };
      },
      async claimCartLines(req) {
        const lines = req.lines.map((l) => ({ productId: l.productId, quantity: l.quantity }));
        return { claim: toClaimMessage(await carts.claimLines(req.userId, req.checkoutId, lines)) };
      },
      async releaseCartClaim(req) {
        await carts.releaseClaim(req.userId, req.checkoutId);
        return {};
      },
    });
}

function toMessage(cart: Cart): CartMessage {
  return create(CartSchema, {
    userId: cart.userId,
    items: cart.items.map((l) =>
      create(CartItemSchema, { productId: l.productId, quantity: l.quantity, addedAt: timestampFromDate(l.addedAt) }),
    ),
    updatedAt: cart.updatedAt && timestampFromDate(cart.updatedAt),
    claims: cart.claims.map(toClaimMessage),
  });
}

function toClaimMessage(claim: CartClaim): CartClaimMessage {
  return create(CartClaimSchema, {
    checkoutId: claim.checkoutId,
    lines: claim.lines.map((l) => create(ClaimLineSchema, { productId: l.productId, quantity: l.quantity })),
  });
}
