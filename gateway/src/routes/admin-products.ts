import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { productJson } from "../mappers/product.js";
import {
  ADMIN_ROUTE,
  AUTHENTICATED_PROBLEMS,
  jsonRequestBody,
  jsonResponse,
  problemResponses,
  responseHeader,
} from "../openapi/responses.js";
import { ProductSchema, StockSchema } from "../openapi/schemas.js";
import { jsonBody } from "../validation/json-body.js";
import { requestBindings } from "./request-bindings.js";

type Clients = Pick<GatewayClients, "product" | "inventory">;

const { createProduct, updateProduct, adjustStock } = requestBindings;

/** Every admin write: 403 without the admin role; 413/415 for the body. */
const WRITE_PROBLEMS = [400, 403, 413, 415, ...AUTHENTICATED_PROBLEMS] as const;

export const createProductRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "createProduct",
  summary:
    "Add a product, on sale at once, with one price per currency and its initial stock (422 duplicate-currency for two prices in one currency)",
  method: "post",
  path: "/",
  middleware: [jsonBody()] as const,
  request: { body: jsonRequestBody(createProduct.body, "The product, its prices and its initial stock") },
  responses: {
    201: jsonResponse(ProductSchema, "The new product, with its id", {
      Location: responseHeader("Where the product is read", "/api/v1/products/0192f0c4-7f61-7b3a-9c1e-4b5d6e7f8091"),
    }),
    ...problemResponses(422, ...WRITE_PROBLEMS),
  },
});

export const updateProductRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "updateProduct",
  summary:
    "Change a product's prices (the list given replaces them all), description or sellability; members left out stay as they are",
  method: "patch",
  path: "/{id}",
  middleware: [jsonBody()] as const,
  request: {
    params: updateProduct.params,
    body: jsonRequestBody(updateProduct.body, "What changes (`{}` changes nothing)"),
  },
  responses: {
    200: jsonResponse(ProductSchema, "The product as it now is"),
    ...problemResponses(404, 422, ...WRITE_PROBLEMS),
  },
});

export const adjustStockRoute = createRoute({
  ...ADMIN_ROUTE,
  operationId: "adjustStock",
  summary:
    "Put units on the shelf (a negative `adjust` takes them off); never below what checkouts hold (409 stock-below-reserved)",
  description:
    "With an Idempotency-Key, a retry changes nothing and answers the stock as it is; the key with another " +
    "adjustment is 422 adjustment-key-reused. Without one, every call adjusts.",
  method: "post",
  path: "/{id}/stock",
  middleware: [jsonBody()] as const,
  request: {
    params: adjustStock.params,
    headers: adjustStock.headers,
    body: jsonRequestBody(adjustStock.body, "How many units, and why"),
  },
  responses: {
    200: jsonResponse(StockSchema, "The product's stock after the adjustment (or as it is, for a retried key)"),
    ...problemResponses(404, 409, 422, ...WRITE_PROBLEMS),
  },
});

/** Units for sale of one product (0 without a stock row). */
async function availableOf(clients: Clients, c: Context<GatewayEnv>, id: string): Promise<number> {
  const res = await clients.inventory.getStock({ productIds: [id] }, callOptions(c));
  return res.stocks[0]?.available ?? 0;
}

/** Operators change the catalog and its stock (mounted under /admin/products). */
export function adminProductRoutes(clients: Clients): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  // The product service sets the stock before it writes the product (see CreateProduct).
  app.openapi(createProductRoute, async (c) => {
    const res = await clients.product.createProduct(createProduct.rpcRequest(c), callOptions(c));
    if (!res.product) throw new Error("product service answered CreateProduct without a product");
    const product = productJson(res.product, await availableOf(clients, c, res.product.id));
    return c.json(product, 201, { Location: `/api/v1/products/${encodeURIComponent(product.id)}` });
  });

  app.openapi(updateProductRoute, async (c) => {
    const request = updateProduct.rpcRequest(c);
    const res = await clients.product.updateProduct(request, callOptions(c));
    if (!res.product) throw new Error(`product service answered UpdateProduct(${request.id}) without a product`);
    return c.json(productJson(res.product, await availableOf(clients, c, res.product.id)), 200);
  });

  app.openapi(adjustStockRoute, async (c) => {
    const request = adjustStock.rpcRequest(c);
    const productId = request.productId ?? "";
    // AdjustStock makes a stock row for any id: a typo must not stock a product nobody sells.
    await clients.product.getProduct({ id: productId }, callOptions(c));
    const res = await clients.inventory.adjustStock(request, callOptions(c));
    if (!res.stock) throw new Error(`inventory service answered AdjustStock(${productId}) without stock`);
    return c.json(
      { product_id: res.stock.productId, available: res.stock.available, reserved: res.stock.reserved },
      200,
    );
  });

  return app;
}
