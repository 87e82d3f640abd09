import { ClaimState, type GetCartClaimResponse } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { isoTime } from "../mappers/json.js";
import { ADMIN_ROUTE, AUTHENTICATED_PROBLEMS, jsonResponse, problemResponses } from "../openapi/responses.js";
import { type CartClaimJson, CartClaimSchema } from "../openapi/schemas.js";
import { requestBindings } from "./request-bindings.js";

const { getCartClaim } = requestBindings;

export const getCartClaimRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "getCartClaim",
  summary: "Whether the user's cart consumed a checkout's outcome: its claim held, settled or released, and when",
  description:
    "Answers `UNKNOWN` (not 404) when the cart has no record of the checkout: it never claimed, the user has " +
    "no cart, or the record was pruned (released and settled claims are kept 7 days, the newest 20 per cart).",
  method: "get",
  path: "/{user_id}/claims/{checkout_id}",
  request: { params: getCartClaim.params },
  responses: {
    200: jsonResponse(CartClaimSchema, "The checkout's claim on the cart"),
    ...problemResponses(400, 403, ...AUTHENTICATED_PROBLEMS),
  },
});

function cartClaimJson(res: GetCartClaimResponse): CartClaimJson {
  return {
    // UNSPECIFIED is never answered; read as UNKNOWN so the page has one word for "no record".
    state: res.state === ClaimState.UNSPECIFIED ? "UNKNOWN" : ClaimState[res.state],
    lines: res.lines.map((l) => ({ product_id: l.productId, quantity: l.quantity })),
    changed_at: isoTime(res.changedAt),
  };
}

/** What the cart did with a checkout, for operators (mounted under /admin/carts). */
export function adminCartRoutes(clients: Pick<GatewayClients, "cart">): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  app.openapi(getCartClaimRoute, async (c) => {
    const res = await clients.cart.getCartClaim(getCartClaim.rpcRequest(c), callOptions(c));
    return c.json(cartClaimJson(res), 200);
  });

  return app;
}
