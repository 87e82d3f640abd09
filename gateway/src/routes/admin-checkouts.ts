import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { adminCheckoutJson } from "../mappers/checkout.js";
import { page } from "../mappers/json.js";
import { ADMIN_ROUTE, AUTHENTICATED_PROBLEMS, jsonResponse, problemResponses } from "../openapi/responses.js";
import { AdminCheckoutPageSchema, AdminCheckoutSchema } from "../openapi/schemas.js";
import { requestBindings } from "./request-bindings.js";

const { listAdminCheckouts, getAdminCheckout, retryCheckout } = requestBindings;

export const listAdminCheckoutsRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "listAdminCheckouts",
  summary: "Every user's checkouts, newest first: by state, by user, or those whose compensation needs attention",
  method: "get",
  path: "/",
  request: { query: listAdminCheckouts.query },
  responses: {
    200: jsonResponse(AdminCheckoutPageSchema, "A page of checkouts"),
    ...problemResponses(400, 403, ...AUTHENTICATED_PROBLEMS),
  },
});

export const getAdminCheckoutRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "getAdminCheckout",
  summary: "Any user's checkout with its saga's history, ids and attention flag (what the saga inspector shows)",
  method: "get",
  path: "/{id}",
  request: { params: getAdminCheckout.params },
  responses: {
    200: jsonResponse(AdminCheckoutSchema, "The checkout, with its history"),
    ...problemResponses(400, 403, 404, ...AUTHENTICATED_PROBLEMS),
  },
});

export const retryCheckoutRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "retryCheckout",
  summary:
    "Drive an unfinished checkout now, as recovery would on its next pass (a compensation that needs attention gets another try)",
  description:
    "Answers the checkout as that drive left it: final, waiting for its payment, or still needing attention. " +
    "409 checkout-finished when it already ended, step-mode when it is stepped with AdvanceCheckout, " +
    "checkout-busy while another driver holds it.",
  method: "post",
  path: "/{id}/retry",
  request: { params: retryCheckout.params },
  responses: {
    200: jsonResponse(AdminCheckoutSchema, "The checkout after the drive, with its history"),
    ...problemResponses(400, 403, 404, 409, ...AUTHENTICATED_PROBLEMS),
  },
});

/** Operators look across every user's checkouts and push a stuck one along (mounted under /admin/checkouts). */
export function adminCheckoutRoutes(clients: Pick<GatewayClients, "checkout">): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  app.openapi(listAdminCheckoutsRoute, async (c) => {
    const res = await clients.checkout.listCheckouts(listAdminCheckouts.rpcRequest(c), callOptions(c));
    return c.json(
      page(
        res.checkouts.map((checkout) => adminCheckoutJson(checkout, { history: false })),
        res.nextPageToken,
      ),
      200,
    );
  });

  app.openapi(getAdminCheckoutRoute, async (c) => {
    // No user_id: an admin's call reads every user's checkouts.
    const request = getAdminCheckout.rpcRequest(c);
    const res = await clients.checkout.getCheckout(request, callOptions(c));
    if (!res.checkout)
      throw new Error(`checkout service answered GetCheckout(${request.checkoutId}) without a checkout`);
    return c.json(adminCheckoutJson(res.checkout, { history: true }), 200);
  });

  app.openapi(retryCheckoutRoute, async (c) => {
    const request = retryCheckout.rpcRequest(c);
    const res = await clients.checkout.retryCheckout(request, callOptions(c));
    if (!res.checkout)
      throw new Error(`checkout service answered RetryCheckout(${request.checkoutId}) without a checkout`);
    return c.json(adminCheckoutJson(res.checkout, { history: true }), 200);
  });

  return app;
}
