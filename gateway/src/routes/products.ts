import type { Context } from "hono";
import { Hono } from "hono";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { page } from "../mappers/json.js";
import { productJson } from "../mappers/product.js";
import { pageQuery, pathId } from "../validation/request-parts.js";

type Clients = Pick<GatewayClients, "product" | "inventory">;

/** Available counts by product id; a product without a stock row has 0. */
async function availability(clients: Clients, c: Context<GatewayEnv>, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const res = await clients.inventory.getStock({ productIds: ids }, callOptions(c));
  return new Map(res.stocks.map((s) => [s.productId, s.available]));
}

/** The catalog with live availability: GET /products, GET /products/{id}. */
export function productRoutes(clients: Clients): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();

  app.get("/", async (c) => {
    const q = pageQuery(c);
    const res = await clients.product.listProducts({ pageSize: q.limit, pageToken: q.pageToken }, callOptions(c));
    const stock = await availability(
      clients,
      c,
      res.products.map((p) => p.id),
    );
    return c.json(
      page(
        res.products.map((p) => productJson(p, stock.get(p.id) ?? 0)),
        res.nextPageToken,
      ),
    );
  });

  app.get("/:id", async (c) => {
    const id = pathId(c, "id");
    const res = await clients.product.getProduct({ id }, callOptions(c));
    if (!res.product) throw new Error(`product service answered GetProduct(${id}) without a product`);
    const stock = await availability(clients, c, [id]);
    return c.json(productJson(res.product, stock.get(id) ?? 0));
  });

  return app;
}
