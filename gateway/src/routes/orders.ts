import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { page } from "../mappers/json.js";
import { cancellationJson, orderJson } from "../mappers/order.js";
import {
  AUTHENTICATED_PROBLEMS,
  bearerSecurity,
  jsonRequestBody,
  jsonResponse,
  problemResponses,
  responseHeader,
} from "../openapi/responses.js";
import { OrderCancellationSchema, OrderPageSchema, OrderSchema } from "../openapi/schemas.js";
import { jsonBody } from "../validation/json-body.js";
import { requestBindings } from "./request-bindings.js";

const { listOrders, getOrder, cancelOrder } = requestBindings;

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

/**
 * 404: no such order (or not the caller's); 409: the order is not CONFIRMED or has nothing left
 * (order-not-cancellable), or the key's first request still runs; 422: more units than a line has
 * left (cancel-exceeds-order), or the key was used with another body.
 */
export const cancelOrderRoute = createRoute({
  operationId: "cancelOrder",
  tags: ["orders"],
  summary: "Cancel the whole order, or some of its lines",
  description:
    "Runs the cancellation saga: refunds the lines' price, returns the units to stock and records the " +
    "cancellation on the order (`OrderCancelled`); the order becomes CANCELLED once every unit is. Without " +
    "`lines` it cancels everything left. The same Idempotency-Key and body replays the first answer with " +
    "`Idempotent-Replayed: true`.",
  method: "post",
  path: "/{id}/cancel",
  security: bearerSecurity,
  middleware: [jsonBody()] as const,
  request: {
    headers: cancelOrder.headers,
    params: cancelOrder.params,
    body: jsonRequestBody(cancelOrder.body, "The lines and units to cancel (`{}` for the whole order)"),
  },
  responses: {
    202: jsonResponse(
      OrderCancellationSchema,
      "The cancellation as it stands: COMPLETED when it was recorded, FAILED when the refund was refused, " +
        "otherwise still running (GET /orders/{id} shows it under `cancellations`)",
      {
        "Idempotent-Replayed": responseHeader(
          "`true` when this is the stored answer of an earlier request with the key",
          "true",
        ),
      },
    ),
    ...problemResponses(400, 404, 409, 413, 415, 422, ...AUTHENTICATED_PROBLEMS),
  },
});

/** The caller's orders, newest first, one order with its lines, and cancelling one. */
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

  app.openapi(cancelOrderRoute, async (c) => {
    const request = { ...cancelOrder.rpcRequest(c), userId: c.get("userId") };
    const res = await clients.orders.cancelOrder(request, callOptions(c));
    if (!res.cancellation)
      throw new Error(`orders service answered CancelOrder(${request.orderId}) without a cancellation`);
    if (res.replayed) c.header("Idempotent-Replayed", "true");
    return c.json(cancellationJson(res.cancellation), 202);
  });

  return app;
}
