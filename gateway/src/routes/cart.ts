import type { Cart } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import type { Context } from "hono";
import { Hono } from "hono";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { type CartJson, enrichCart } from "../mappers/cart.js";
import { readJsonBody } from "../validation/json-body.js";
import { pathId } from "../validation/request-parts.js";
import { integer, object, string } from "../validation/schema.js";

/** Quantity per line, as the cart service enforces it too. */
const quantity = integer({ min: 1, max: 99 });
const addItemBody = object({
  product_id: string({ max: 128, pattern: /^[A-Za-z0-9._:-]+$/, hint: "a product id (letters, digits, . _ : -)" }),
  quantity,
});
const setQuantityBody = object({ quantity });

type Clients = Pick<GatewayClients, "cart" | "product">;

/** The caller's cart: GET, add/set/remove a line, clear. Every answer is the enriched cart. */
export function cartRoutes(clients: Clients): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();

  const render = async (c: Context<GatewayEnv>, cart: Cart | undefined): Promise<CartJson> => {
    const ids = [...new Set((cart?.items ?? []).map((i) => i.productId))];
    const products = ids.length ? (await clients.product.getProducts({ ids }, callOptions(c))).products : [];
    return enrichCart(cart, products);
  };

  app.get("/", async (c) => {
    const res = await clients.cart.getCart({ userId: c.get("userId") }, callOptions(c));
    return c.json(await render(c, res.cart));
  });

  app.post("/items", async (c) => {
    const body = await readJsonBody(c, addItemBody);
    const res = await clients.cart.addItem(
      { userId: c.get("userId"), productId: body.product_id, quantity: body.quantity },
      callOptions(c),
    );
    return c.json(await render(c, res.cart), 201);
  });

  app.put("/items/:productId", async (c) => {
    const productId = pathId(c, "productId");
    const body = await readJsonBody(c, setQuantityBody);
    const res = await clients.cart.updateQuantity(
      { userId: c.get("userId"), productId, quantity: body.quantity },
      callOptions(c),
    );
    return c.json(await render(c, res.cart));
  });

  app.delete("/items/:productId", async (c) => {
    const productId = pathId(c, "productId");
    const res = await clients.cart.removeItem({ userId: c.get("userId"), productId }, callOptions(c));
    return c.json(await render(c, res.cart));
  });

  app.delete("/", async (c) => {
    const res = await clients.cart.clearCart({ userId: c.get("userId") }, callOptions(c));
    return c.json(await render(c, res.cart));
  });

  return app;
}
