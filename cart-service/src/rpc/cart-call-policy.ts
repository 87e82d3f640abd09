import { defineCallPolicy } from "@checkout-saga/shared";
import { CartService } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";

/**
 * A cart is its user's. The gateway (and a developer) act for the user their user assertion
 * names; the checkout saga for its session's user, named in the request: it claims and releases
 * lines long after the customer's request, also after a restart, when no assertion exists.
 * Operators read any user's claims, to see whether the cart consumed a checkout's outcome.
 */
export const cartCallPolicy = defineCallPolicy(CartService, {
  getCart: { gateway: "user", "checkout-service": "named-user", developer: "user" },
  addItem: { gateway: "user", developer: "user" },
  updateQuantity: { gateway: "user", developer: "user" },
  removeItem: { gateway: "user", developer: "user" },
  clearCart: { gateway: "user", developer: "user" },
  setCartCurrency: { gateway: "user", developer: "user" },
  claimCartLines: { "checkout-service": "named-user", developer: "user" },
  releaseCartClaim: { "checkout-service": "named-user", developer: "user" },
  getCartClaim: { gateway: "admin", developer: "admin" },
});
