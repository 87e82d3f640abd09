import { Hono } from "hono";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { page } from "../mappers/json.js";
import { orderJson } from "../mappers/order.js";
import { pageQuery, pathId } from "../validation/request-parts.js";

/** The caller's orders, newest first, and one order with its lines. */
export function orderRoutes(clients: Pick<GatewayClients, "orders">): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();

  app.get("/", async (c) => {
    const q = pageQuery(c);
    const res = await clients.orders.listOrders(
      { userId: c.get("userId"), pageSize: q.limit, pageToken: q.pageToken },
      callOptions(c),
    );
    return c.json(page(res.orders.map(orderJson), res.nextPageToken));
  });

  app.get("/:id", async (c) => {
    const orderId = pathId(c, "id");
    const res = await clients.orders.getOrder({ orderId, userId: c.get("userId") }, callOptions(c));
    if (!res.order) throw new Error(`orders service answered GetOrder(${orderId}) without an order`);
    return c.json(orderJson(res.order));
  });

  return app;
}
