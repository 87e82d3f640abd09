import { Code, ConnectError } from "@connectrpc/connect";
import { Hono } from "hono";
import type { GatewayClients } from "../clients.js";
import { type GatewayEnv, REQUEST_ID_HEADER } from "../context.js";
import { ProblemError, problem } from "../problems.js";

/** How long readiness waits for each service. */
const PROBE_TIMEOUT_MS = 2_000;

/** Codes that show no healthy server answered; any other answer (even a refusal) means it is there. */
const downCodes = new Set([Code.Unavailable, Code.DeadlineExceeded, Code.Unknown, Code.Internal, Code.Unimplemented]);

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

/** GET /health/live (the process answers) and GET /health/ready (every downstream answers). */
export function healthRoutes(clients: GatewayClients): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  const checks = probes(clients);

  app.get("/live", (c) => c.json({ status: "ok" }));

  app.get("/ready", async (c) => {
    const headers = { [REQUEST_ID_HEADER]: c.get("requestId") };
    const results = await Promise.all(
      Object.entries(checks).map(async ([name, probe]) => {
        try {
          await probe({ timeoutMs: PROBE_TIMEOUT_MS, headers });
          return [name, "up"] as const;
        } catch (err) {
          return [name, downCodes.has(ConnectError.from(err).code) ? "down" : "up"] as const;
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
    return c.json({ status: "ok", services });
  });

  return app;
}
