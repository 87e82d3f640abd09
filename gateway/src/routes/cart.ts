import type { Cart } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { enrichCart } from "../mappers/cart.js";
import {
  AUTHENTICATED_PROBLEMS,
  bearerSecurity,
  jsonRequestBody,
  jsonResponse,
  problemResponses,
} from "../openapi/responses.js";
import { type CartJson, CartSchema } from "../openapi/schemas.js";
import { jsonBody } from "../validation/json-body.js";
import { requestBindings } from "./request-bindings.js";

type Clients = Pick<GatewayClients, "cart" | "product">;

const { addCartItem, setCartItemQuantity, removeCartItem, updateCart } = requestBindings;

const cartRoute = { tags: ["cart"], security: bearerSecurity };

/**
 * Problems of every route that writes the cart: a body too large (DELETE may carry one too), a
 * cart that kept changing under concurrent writes (cart-conflict).
 */
const WRITE_PROBLEMS = [409, 413, ...AUTHENTICATED_PROBLEMS] as const;

/** Problems of a route that writes the cart from a JSON body. */
const BODY_PROBLEMS = [400, 415, ...WRITE_PROBLEMS] as const;

export const getCartRoute = createRoute({
  ...cartRoute,
  operationId: "getCart",
  summary: "The caller's cart with names, unit prices, line subtotals and total from the catalog",
  method: "get",
  path: "/",
  responses: { 200: jsonResponse(CartSchema, "The cart"), ...problemResponses(...AUTHENTICATED_PROBLEMS) },
});

export const addCartItemRoute = createRoute({
  ...cartRoute,
  operationId: "addCartItem",
  summary: "Add a product to the cart (or add to its line)",
  method: "post",
  path: "/items",
  middleware: [jsonBody()] as const,
  request: { body: jsonRequestBody(addCartItem.body, "The product and how many to add") },
  responses: {
    201: jsonResponse(CartSchema, "The cart after the change"),
    // 404: no such product; 409 also: the line would pass 99; 422: the cart holds the most lines it
    // may, or the product has no price in the cart's currency.
    ...problemResponses(...BODY_PROBLEMS, 404, 422),
  },
});

export const setCartItemRoute = createRoute({
  ...cartRoute,
  operationId: "setCartItemQuantity",
  summary: "Set a line's quantity",
  method: "put",
  path: "/items/{product_id}",
  middleware: [jsonBody()] as const,
  request: {
    params: setCartItemQuantity.params,
    body: jsonRequestBody(setCartItemQuantity.body, "The line's new quantity"),
  },
  responses: {
    200: jsonResponse(CartSchema, "The cart after the change"),
    ...problemResponses(...BODY_PROBLEMS, 404),
  },
});

export const removeCartItemRoute = createRoute({
  ...cartRoute,
  operationId: "removeCartItem",
  summary: "Remove a line",
  method: "delete",
  path: "/items/{product_id}",
  request: { params: removeCartItem.params },
  responses: {
    200: jsonResponse(CartSchema, "The cart after the change"),
    // 404: the cart has no line for that product.
    ...problemResponses(400, 404, ...WRITE_PROBLEMS),
  },
});

export const updateCartRoute = createRoute({
  ...cartRoute,
  operationId: "updateCart",
  summary: "Change the cart's currency; every line is then priced in it",
  method: "patch",
  path: "/",
  middleware: [jsonBody()] as const,
  request: { body: jsonRequestBody(updateCart.body, "The cart's new currency (ISO 4217)") },
  responses: {
    200: jsonResponse(CartSchema, "The cart, priced in its new currency"),
    // 400 also: a code outside ISO 4217; 422: a line's product has no price in that currency (product-not-priced).
    ...problemResponses(...BODY_PROBLEMS, 422),
  },
});

export const clearCartRoute = createRoute({
  ...cartRoute,
  operationId: "clearCart",
  summary: "Remove every line",
  method: "delete",
  path: "/",
  responses: { 200: jsonResponse(CartSchema, "The empty cart"), ...problemResponses(...WRITE_PROBLEMS) },
});

/** The caller's cart: GET, add/set/remove a line, change its currency, clear. Every answer is the enriched cart. */
export function cartRoutes(clients: Clients): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  const render = async (c: Context<GatewayEnv>, cart: Cart | undefined): Promise<CartJson> => {
    const ids = [...new Set((cart?.items ?? []).map((i) => i.productId))];
    const currency = cart?.currency ?? "";
    const products = ids.length ? (await clients.product.getProducts({ ids, currency }, callOptions(c))).products : [];
    return enrichCart(cart, products);
  };

  app.openapi(getCartRoute, async (c) => {
    const res = await clients.cart.getCart({ userId: c.get("userId") }, callOptions(c));
    return c.json(await render(c, res.cart), 200);
  });

  app.openapi(addCartItemRoute, async (c) => {
    const res = await clients.cart.addItem({ ...addCartItem.rpcRequest(c), userId: c.get("userId") }, callOptions(c));
    return c.json(await render(c, res.cart), 201);
  });

  app.openapi(setCartItemRoute, async (c) => {
    const res = await clients.cart.updateQuantity(
      { ...setCartItemQuantity.rpcRequest(c), userId: c.get("userId") },
      callOptions(c),
    );
    return c.json(await render(c, res.cart), 200);
  });

  app.openapi(removeCartItemRoute, async (c) => {
    const res = await clients.cart.removeItem(
      { ...removeCartItem.rpcRequest(c), userId: c.get("userId") },
      callOptions(c),
    );
    return c.json(await render(c, res.cart), 200);
  });

  app.openapi(updateCartRoute, async (c) => {
    const res = await clients.cart.setCartCurrency(
      { ...updateCart.rpcRequest(c), userId: c.get("userId") },
      callOptions(c),
    );
    return c.json(await render(c, res.cart), 200);
  });

  app.openapi(clearCartRoute, async (c) => {
    const res = await clients.cart.clearCart({ userId: c.get("userId") }, callOptions(c));
    return c.json(await render(c, res.cart), 200);
  });

  return app;
}
