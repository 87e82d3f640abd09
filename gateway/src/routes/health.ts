import { DOWN_CODES } from "@checkout-saga/shared";
import { ConnectError } from "@connectrpc/connect";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayClients } from "../clients.js";
import { type GatewayEnv, REQUEST_ID_HEADER } from "../context.js";
import { jsonResponse, problemResponses } from "../openapi/responses.js";
import { HealthSchema } from "../openapi/schemas.js";
import { ProblemError, problem } from "../problems.js";

/** How long readiness waits for each service. */
const PROBE_TIMEOUT_MS = 2_000;

type Probe = (options: { timeoutMs: number; headers: Record<string, string> }) => Promise<unknown>;

/**
 * The cheapest call each service offers, free of side effects: empty lookups, or a request
 * the service refuses before touching storage.
 */
function probes(clients: GatewayClients): Record<keyof GatewayClients, Probe> {
  return {
    product: (o) => clients.product.getProducts({ ids: [] }, o),
    cart: (o) => clients.cart.getCart({ userId: "" }, o),
    inventory: (o) => clients.inventory.getStock({ productIds: [] }, o),
    checkout: (o) => clients.checkout.listCheckouts({ pageSize: 1 }, o),
    orders: (o) => clients.orders.listOrders({ pageSize: 1 }, o),
  };
}

const liveRoute = (hide: boolean) =>
  createRoute({
    operationId: "live",
    tags: ["health"],
    summary: "The gateway process answers",
    method: "get",
    path: "/live",
    hide,
    responses: { 200: jsonResponse(HealthSchema, "Alive"), ...problemResponses(500) },
  });

const readyRoute = (hide: boolean) =>
  createRoute({
    operationId: "ready",
    tags: ["health"],
    summary: "Every service the gateway calls answers",
    method: "get",
    path: "/ready",
    hide,
    responses: {
      200: jsonResponse(HealthSchema, "Ready: each service is up"),
      ...problemResponses(500, 503),
    },
  });

/**
 * GET /health/live (the process answers) and GET /health/ready (every downstream answers).
 * The app serves them twice (/health and /api/v1/health); `hidden` keeps the second copy out
 * of the OpenAPI document.
 */
export function healthRoutes(clients: GatewayClients, options: { hidden?: boolean } = {}): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();
  const checks = probes(clients);
  const hide = options.hidden ?? false;

  app.openapi(liveRoute(hide), (c) => c.json({ status: "ok" as const }, 200));

  app.openapi(readyRoute(hide), async (c) => {
    const headers = { [REQUEST_ID_HEADER]: c.get("requestId") };
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, probe]) => {
        try {
          await probe({ timeoutMs: PROBE_TIMEOUT_MS, headers });
          return [name, "up"] as const;
        } catch (err) {
          return [name, DOWN_CODES.has(ConnectError.from(err).code) ? "down" : "up"] as const;
        }
      }),
    );
    const down = results.filter(([, state]) => state === "down").map(([name]) => name);
    const services = Object.fromEntries(results);
    if (down.length > 0) {
      throw new ProblemError(
        problem("service-unavailable", 503, `not ready: ${down.join(", ")} unreachable`, {
          unavailable: down,
          services,
        }),
      );
    }
    return c.json({ status: "ok" as const, services }, 200);
  });

  return app;
}
