import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { page } from "../mappers/json.js";
import { productJson } from "../mappers/product.js";
import { AUTHENTICATED_PROBLEMS, bearerSecurity, jsonResponse, problemResponses } from "../openapi/responses.js";
import { ProductPageSchema, ProductSchema } from "../openapi/schemas.js";
import { requestBindings } from "./request-bindings.js";

type Clients = Pick<GatewayClients, "product" | "inventory">;

const { listProducts, getProduct } = requestBindings;

/** Available counts by product id; a product without a stock row has 0. */
async function availability(clients: Clients, c: Context<GatewayEnv>, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const res = await clients.inventory.getStock({ productIds: ids }, callOptions(c));
  return new Map(res.stocks.map((s) => [s.productId, s.available]));
}

export const listProductsRoute = createRoute({
  operationId: "listProducts",
  tags: ["catalog"],
  summary: "The catalog, a page at a time, with live availability",
  method: "get",
  path: "/",
  security: bearerSecurity,
  request: { query: listProducts.query },
  responses: {
    200: jsonResponse(ProductPageSchema, "A page of products; `next_page_token` is null on the last page"),
    ...problemResponses(400, ...AUTHENTICATED_PROBLEMS),
  },
});

export const getProductRoute = createRoute({
  operationId: "getProduct",
  tags: ["catalog"],
  summary: "One product with its live availability",
  method: "get",
  path: "/{id}",
  security: bearerSecurity,
  request: { params: getProduct.params, query: getProduct.query },
  responses: {
    200: jsonResponse(ProductSchema, "The product"),
    ...problemResponses(400, 404, ...AUTHENTICATED_PROBLEMS),
  },
});

/** The catalog with live availability: GET /products, GET /products/{id}. */
export function productRoutes(clients: Clients): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  app.openapi(listProductsRoute, async (c) => {
    const res = await clients.product.listProducts(listProducts.rpcRequest(c), callOptions(c));
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
      200,
    );
  });

  app.openapi(getProductRoute, async (c) => {
    const req = getProduct.rpcRequest(c);
    const id = req.id ?? "";
    const res = await clients.product.getProduct(req, callOptions(c));
    if (!res.product) throw new Error(`product service answered GetProduct(${id}) without a product`);
    const stock = await availability(clients, c, [id]);
    return c.json(productJson(res.product, stock.get(id) ?? 0), 200);
  });

  return app;
}
