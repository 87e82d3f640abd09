import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { page } from "../mappers/json.js";
import { adminCancellationJson } from "../mappers/order.js";
import { ADMIN_ROUTE, AUTHENTICATED_PROBLEMS, jsonResponse, problemResponses } from "../openapi/responses.js";
import { AdminCancellationPageSchema, AdminCancellationSchema } from "../openapi/schemas.js";
import { requestBindings } from "./request-bindings.js";

const { listAdminCancellations, getCancellation, retryCancellation } = requestBindings;

export const listAdminCancellationsRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "listAdminCancellations",
  summary: "Every user's order cancellations, newest first: by saga state, by user, or those needing attention",
  method: "get",
  path: "/",
  request: { query: listAdminCancellations.query },
  responses: {
    200: jsonResponse(AdminCancellationPageSchema, "A page of cancellations"),
    ...problemResponses(400, 403, ...AUTHENTICATED_PROBLEMS),
  },
});

export const getCancellationRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "getCancellation",
  summary: "Any user's cancellation with its saga's transitions (what the saga inspector shows)",
  method: "get",
  path: "/{id}",
  request: { params: getCancellation.params },
  responses: {
    200: jsonResponse(AdminCancellationSchema, "The cancellation, with its history"),
    ...problemResponses(400, 403, 404, ...AUTHENTICATED_PROBLEMS),
  },
});

export const retryCancellationRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "retryCancellation",
  summary:
    "Drive an unfinished cancellation now, as recovery would on its next pass (a step that needs attention gets another try)",
  description:
    "Answers the cancellation as that drive left it. 409 cancellation-finished when it already ended, " +
    "cancellation-busy while another driver holds it.",
  method: "post",
  path: "/{id}/retry",
  request: { params: retryCancellation.params },
  responses: {
    200: jsonResponse(AdminCancellationSchema, "The cancellation after the drive"),
    ...problemResponses(400, 403, 404, 409, ...AUTHENTICATED_PROBLEMS),
  },
});

/** Operators look across every user's cancellations and push a stuck one along (mounted under /admin/cancellations). */
export function adminCancellationRoutes(clients: Pick<GatewayClients, "orders">): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  app.openapi(listAdminCancellationsRoute, async (c) => {
    const res = await clients.orders.listCancellations(listAdminCancellations.rpcRequest(c), callOptions(c));
    const items = res.cancellations.map((x) => adminCancellationJson(x, { history: false }));
    return c.json(page(items, res.nextPageToken), 200);
  });

  app.openapi(getCancellationRoute, async (c) => {
    const request = getCancellation.rpcRequest(c);
    const res = await clients.orders.getCancellation(request, callOptions(c));
    if (!res.cancellation) {
      throw new Error(`orders service answered GetCancellation(${request.cancellationId}) without a cancellation`);
    }
    return c.json(adminCancellationJson(res.cancellation, { history: true }), 200);
  });

  app.openapi(retryCancellationRoute, async (c) => {
    const request = retryCancellation.rpcRequest(c);
    const res = await clients.orders.retryCancellation(request, callOptions(c));
    if (!res.cancellation) {
      throw new Error(`orders service answered RetryCancellation(${request.cancellationId}) without a cancellation`);
    }
    return c.json(adminCancellationJson(res.cancellation, { history: true }), 200);
  });

  return app;
}
