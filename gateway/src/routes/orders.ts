import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { page } from "../mappers/json.js";
import { orderJson } from "../mappers/order.js";
import { AUTHENTICATED_PROBLEMS, bearerSecurity, jsonResponse, problemResponses } from "../openapi/responses.js";
import { OrderPageSchema, OrderSchema } from "../openapi/schemas.js";
import { requestBindings } from "./request-bindings.js";

const { listOrders, getOrder } = requestBindings;

export const listOrdersRoute = createRoute({
  operationId: "listOrders",
  tags: ["orders"],
  summary: "The caller's orders, newest first",
  method: "get",
  path: "/",
  security: bearerSecurity,
  request: { query: listOrders.query },
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
  request: { params: getOrder.params },
  responses: {
    200: jsonResponse(OrderSchema, "The order"),
    ...problemResponses(400, 404, ...AUTHENTICATED_PROBLEMS),
  },
});

/** The caller's orders, newest first, and one order with its lines. */
export function orderRoutes(clients: Pick<GatewayClients, "orders">): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  app.openapi(listOrdersRoute, async (c) => {
    const res = await clients.orders.listOrders(
      { ...listOrders.rpcRequest(c), userId: c.get("userId") },
      callOptions(c),
    );
    return c.json(page(res.orders.map(orderJson), res.nextPageToken), 200);
  });

  app.openapi(getOrderRoute, async (c) => {
    const request = { ...getOrder.rpcRequest(c), userId: c.get("userId") };
    const res = await clients.orders.getOrder(request, callOptions(c));
    if (!res.order) throw new Error(`orders service answered GetOrder(${request.orderId}) without an order`);
    return c.json(orderJson(res.order), 200);
  });

  return app;
}
