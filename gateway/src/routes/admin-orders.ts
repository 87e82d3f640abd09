import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { orderJson } from "../mappers/order.js";
import {
  AUTHENTICATED_PROBLEMS,
  bearerSecurity,
  jsonRequestBody,
  jsonResponse,
  problemResponses,
} from "../openapi/responses.js";
import { OrderSchema } from "../openapi/schemas.js";
import { jsonBody } from "../validation/json-body.js";
import { requestBindings } from "./request-bindings.js";

const { shipOrder, deliverOrder } = requestBindings;

const adminRoute = { tags: ["admin"], security: bearerSecurity };

/** 403: not an admin; 404: no such order; 409: the order is not where the move starts. */
const MOVE_PROBLEMS = [400, 403, 404, 409, 413, 415, ...AUTHENTICATED_PROBLEMS] as const;

export const shipOrderRoute = createRoute({
  ...adminRoute,
  operationId: "shipOrder",
  summary: "Mark a CONFIRMED order SHIPPED (409 order-not-shippable otherwise; repeating it changes nothing)",
  method: "post",
  path: "/{id}/ship",
  middleware: [jsonBody()] as const,
  request: {
    params: shipOrder.params,
    body: jsonRequestBody(shipOrder.body, "Why, for the status history (`{}` for none)"),
  },
  responses: { 200: jsonResponse(OrderSchema, "The order, shipped"), ...problemResponses(...MOVE_PROBLEMS) },
});

export const deliverOrderRoute = createRoute({
  ...adminRoute,
  operationId: "deliverOrder",
  summary: "Mark a SHIPPED order DELIVERED (409 order-not-deliverable otherwise; repeating it changes nothing)",
  method: "post",
  path: "/{id}/deliver",
  middleware: [jsonBody()] as const,
  request: {
    params: deliverOrder.params,
    body: jsonRequestBody(deliverOrder.body, "Why, for the status history (`{}` for none)"),
  },
  responses: { 200: jsonResponse(OrderSchema, "The order, delivered"), ...problemResponses(...MOVE_PROBLEMS) },
});

/** Operators move any user's order along: shipped, then delivered (mounted under /admin/orders). */
export function adminOrderRoutes(clients: Pick<GatewayClients, "orders">): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  app.openapi(shipOrderRoute, async (c) => {
    const request = shipOrder.rpcRequest(c);
    const res = await clients.orders.shipOrder(request, callOptions(c));
    if (!res.order) throw new Error(`orders service answered ShipOrder(${request.orderId}) without an order`);
    return c.json(orderJson(res.order), 200);
  });

  app.openapi(deliverOrderRoute, async (c) => {
    const request = deliverOrder.rpcRequest(c);
    const res = await clients.orders.deliverOrder(request, callOptions(c));
    if (!res.order) throw new Error(`orders service answered DeliverOrder(${request.orderId}) without an order`);
    return c.json(orderJson(res.order), 200);
  });

  return app;
}
