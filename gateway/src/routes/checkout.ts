import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayClients } from "../clients.js";
import { callOptions, type GatewayEnv } from "../context.js";
import { checkoutJson } from "../mappers/checkout.js";
import { routeDeadline } from "../middleware/request-context.js";
import {
  AUTHENTICATED_PROBLEMS,
  bearerSecurity,
  jsonRequestBody,
  jsonResponse,
  problemResponses,
  responseHeader,
} from "../openapi/responses.js";
import { CheckoutSchema } from "../openapi/schemas.js";
import { ProblemError } from "../problems.js";
import { jsonBody } from "../validation/json-body.js";
import { checkoutOutcome } from "./checkout-outcome.js";
import { requestBindings } from "./request-bindings.js";

const { startCheckout, getCheckout } = requestBindings;

const replayedHeader = {
  "Idempotent-Replayed": responseHeader(
    "`true` when this is the stored outcome of an earlier request with the key",
    "true",
  ),
};

/** POST /checkout: the saga's outcome as HTTP (see checkout-outcome.ts). */
export const startCheckoutRoute = (deadlineMs: number) =>
  createRoute({
    operationId: "startCheckout",
    tags: ["checkout"],
    summary: "Check out the caller's cart",
    description:
      "Runs the checkout saga for the current cart. The total comes from the catalog, never from the client. " +
      "`points` (JPY carts, 1 point = ¥1) pay part or all of it; what is left is charged. " +
      "The same Idempotency-Key and body replays the first outcome with `Idempotent-Replayed: true`.",
    method: "post",
    path: "/",
    security: bearerSecurity,
    middleware: [routeDeadline(deadlineMs), jsonBody()] as const,
    request: {
      headers: startCheckout.headers,
      body: jsonRequestBody(startCheckout.body, "Payment method, shipping address and the points to redeem"),
    },
    responses: {
      201: jsonResponse(CheckoutSchema, "COMPLETED: the order is placed", {
        ...replayedHeader,
        Location: responseHeader("The checkout's URL", "/api/v1/checkout/0b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42"),
      }),
      202: jsonResponse(
        CheckoutSchema,
        "Not finished yet (payment pending, step mode, compensation running): poll GET /checkout/{id}",
        {
          ...replayedHeader,
          Location: responseHeader("The checkout's URL"),
        },
      ),
      ...problemResponses(400, 402, 409, 413, 415, 422, ...AUTHENTICATED_PROBLEMS),
    },
  });

export const getCheckoutRoute = createRoute({
  operationId: "getCheckout",
  tags: ["checkout"],
  summary: "A checkout's state and its full transition history",
  method: "get",
  path: "/{id}",
  security: bearerSecurity,
  request: { params: getCheckout.params },
  responses: {
    200: jsonResponse(CheckoutSchema, "The checkout with `history`"),
    ...problemResponses(400, 404, ...AUTHENTICATED_PROBLEMS),
  },
});

/** POST /checkout starts the saga for the caller's cart; GET /checkout/{id} shows it with its history. */
export function checkoutRoutes(
  clients: Pick<GatewayClients, "checkout">,
  options: { deadlineMs: number },
): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();

  app.openapi(startCheckoutRoute(options.deadlineMs), async (c) => {
    const res = await clients.checkout.initiateCheckout(
      { ...startCheckout.rpcRequest(c), userId: c.get("userId") },
      callOptions(c),
    );
    if (!res.checkout) throw new Error("checkout service answered InitiateCheckout without a checkout");
    const headers: Record<string, string> = res.replayed ? { "Idempotent-Replayed": "true" } : {};
    const outcome = checkoutOutcome(res.checkout);
    if (outcome.kind === "problem") throw new ProblemError(outcome.problem, { ...headers, ...outcome.headers });
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    c.header("Location", `/api/v1/checkout/${encodeURIComponent(outcome.body.checkout_id)}`);
    return c.json(outcome.body, outcome.status);
  });

  app.openapi(getCheckoutRoute, async (c) => {
    const request = { ...getCheckout.rpcRequest(c), userId: c.get("userId") };
    const res = await clients.checkout.getCheckout(request, callOptions(c));
    if (!res.checkout)
      throw new Error(`checkout service answered GetCheckout(${request.checkoutId}) without a checkout`);
    return c.json(checkoutJson(res.checkout, { history: true }), 200);
  });

  return app;
}
