import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { page } from "../mappers/json.js";
import { orderJson } from "../mappers/order.js";
import { AUTHENTICATED_PROBLEMS, bearerSecurity, jsonResponse, problemResponses } from "../openapi/responses.js";
import { OrderPageSchema, OrderSchema } from "../openapi/schemas.js";
import { idParams, pageQuery } from "../validation/fields.js";

export const listOrdersRoute = createRoute({
  operationId: "listOrders",
  tags: ["orders"],
  summary: "The caller's orders, newest first",
  method: "get",
  path: "/",
  security: bearerSecurity,
  request: { query: pageQuery() },
  responses: {
    200: jsonResponse(OrderPageSchema, "A page of the caller's orders"),
    ...problemResponses(400, ...AUTHENTICATED_PROBLEMS),
  },
});

export const getOrderRoute = createRoute({
  operationId: "getOrder",
  tags: ["orders"],
  summary: "One of the caller's orders with its lines",
  method: "get",
  path: "/{id}",
  security: bearerSecurity,
  request: { params: idParams("id", "7d0c4c44-0a57-4f0f-8d59-3c3f0e4e9a11") },
  responses: {
    200: jsonResponse(OrderSchema, "The order"),
    ...problemResponses(400, 404, ...AUTHENTICATED_PROBLEMS),
  },
});

/** The caller's orders, newest first, and one order with its lines. */
export function orderRoutes(clients: Pick<GatewayClients, "orders">): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  app.openapi(listOrdersRoute, async (c) => {
    const q = c.req.valid("query");
    const res = await clients.orders.listOrders(
      { userId: c.get("userId"), pageSize: q.limit ?? 20, pageToken: q.page_token ?? "" },
      callOptions(c),
    );
    return c.json(page(res.orders.map(orderJson), res.nextPageToken), 200);
  });

  app.openapi(getOrderRoute, async (c) => {
    const { id } = c.req.valid("param");
    const res = await clients.orders.getOrder({ orderId: id, userId: c.get("userId") }, callOptions(c));
    if (!res.order) throw new Error(`orders service answered GetOrder(${id}) without an order`);
    return c.json(orderJson(res.order), 200);
  });

  return app;
}
