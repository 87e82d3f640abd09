import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { page } from "../mappers/json.js";
import { orderJson } from "../mappers/order.js";
import { outboxEventJson } from "../mappers/outbox.js";
import {
  ADMIN_ROUTE,
  AUTHENTICATED_PROBLEMS,
  jsonRequestBody,
  jsonResponse,
  problemResponses,
} from "../openapi/responses.js";
import { OrderPageSchema, OrderSchema, OutboxEventsSchema } from "../openapi/schemas.js";
import { jsonBody } from "../validation/json-body.js";
import { requestBindings } from "./request-bindings.js";

const { listAdminOrders, listOrderEvents, shipOrder, deliverOrder } = requestBindings;

export const listAdminOrdersRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "listAdminOrders",
  summary: "A user's orders, newest first, or the one created from a checkout (its CheckoutCompleted consumed)",
  description: "The orders service lists one user's orders at a time: `user_id` is required (400 without it).",
  method: "get",
  path: "/",
  request: { query: listAdminOrders.query },
  responses: {
    200: jsonResponse(OrderPageSchema, "A page of orders"),
    ...problemResponses(400, 403, ...AUTHENTICATED_PROBLEMS),
  },
});

export const listOrderEventsRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "listOrderEvents",
  summary:
    "One order's events in the orders service's outbox, oldest first: its status changes and its cancellations' OrderCancelled, published or waiting for the relay",
  method: "get",
  path: "/{id}/events",
  request: { params: listOrderEvents.params },
  responses: {
    200: jsonResponse(OutboxEventsSchema, "The order's events"),
    ...problemResponses(400, 403, 404, ...AUTHENTICATED_PROBLEMS),
  },
});

/** 403: not an admin; 404: no such order; 409: the order is not where the move starts. */
const MOVE_PROBLEMS = [400, 403, 404, 409, 413, 415, ...AUTHENTICATED_PROBLEMS] as const;

export const shipOrderRoute = createRoute({
  ...ADMIN_ROUTE,
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
  ...ADMIN_ROUTE,
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

/** Operators list any user's orders, read an order's events and move it along: shipped, then delivered (mounted under /admin/orders). */
export function adminOrderRoutes(clients: Pick<GatewayClients, "orders">): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  app.openapi(listAdminOrdersRoute, async (c) => {
    // The user named in the query, not the caller: an admin reads anyone's.
    const res = await clients.orders.listOrders(listAdminOrders.rpcRequest(c), callOptions(c));
    return c.json(page(res.orders.map(orderJson), res.nextPageToken), 200);
  });

  app.openapi(listOrderEventsRoute, async (c) => {
    const res = await clients.orders.listOrderEvents(listOrderEvents.rpcRequest(c), callOptions(c));
    return c.json({ items: res.events.map(outboxEventJson) }, 200);
  });

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
