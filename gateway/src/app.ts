import type { Logger } from "@checkout-saga/shared";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { GatewayClients } from "./clients.js";
import type { GatewayConfig } from "./config.js";
import type { GatewayEnv } from "./context.js";
import { bearerAuth } from "./middleware/auth.js";
import { problemErrorHandler, problemNotFound } from "./middleware/problem-response.js";
import { createMemoryRateLimitStore, type RateLimitStore, rateLimit } from "./middleware/rate-limit.js";
import { ProblemError, problem } from "./problems.js";
import { cartRoutes } from "./routes/cart.js";
import { checkoutRoutes } from "./routes/checkout.js";
import { devTokenRoutes } from "./routes/dev-token.js";
import { healthRoutes } from "./routes/health.js";
import { orderRoutes } from "./routes/orders.js";
import { productRoutes } from "./routes/products.js";

/** What the gateway needs; tests pass clients built on createRouterTransport. */
export interface GatewayDeps {
  clients: GatewayClients;
  config: GatewayConfig;
  logger: Logger;
  /** Where rate-limit buckets live; in memory by default. */
  rateLimitStore?: RateLimitStore;
  /** Clock for tokens; the real one by default. */
  now?: () => Date;
}

/** The client's address as the socket reports it (no proxy headers are trusted). */
function clientAddress(c: Context<GatewayEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/**
 * The REST gateway: one sub-app per resource under /api/v1, one error handler at the edge.
 * Everything under /api/v1 needs a bearer token except POST /dev/token; health probes live at
 * /health and /api/v1/health, unauthenticated and not rate-limited.
 */
export function createGatewayApp(deps: GatewayDeps): Hono<GatewayEnv> {
  const { clients, config, logger } = deps;
  const store = deps.rateLimitStore ?? createMemoryRateLimitStore();

  const app = new Hono<GatewayEnv>();
  app.onError(problemErrorHandler(logger));
  app.notFound(problemNotFound());
  app.use(requestId({ headerName: "X-Request-Id", limitLength: 128 }));
  app.use(async function requestDeadline(c, next) {
    c.set("deadline", Date.now() + config.requestTimeoutMs);
    await next();
  });

  const health = healthRoutes(clients);
  app.route("/health", health);

  const api = new Hono<GatewayEnv>();
  // Hono runs handlers in registration order: health, registered first, answers before the
  // rate limiter and body limit below are reached.
  api.route("/health", health);
  api.use(
    rateLimit({
      store,
      limitPerMinute: config.rateLimitPerMinute,
      key: (c) => {
        const address = clientAddress(c);
        return address === undefined ? undefined : `ip:${address}`;
      },
    }),
  );
  api.use(
    bodyLimit({
      maxSize: config.maxBodyBytes,
      onError: () => {
        throw new ProblemError(
          problem("payload-too-large", 413, `the request body exceeds ${config.maxBodyBytes} bytes`, {
            max_bytes: config.maxBodyBytes,
          }),
        );
      },
    }),
  );
  if (config.devTokens) api.route("/dev", devTokenRoutes({ secret: config.jwtSecret, now: deps.now }));

  const authenticated: MiddlewareHandler<GatewayEnv>[] = [
    bearerAuth({ secret: config.jwtSecret, now: deps.now }),
    rateLimit({ store, limitPerMinute: config.rateLimitPerMinute, key: (c) => `user:${c.get("userId")}` }),
  ];
  const resources: Array<[string, Hono<GatewayEnv>]> = [
    ["/products", productRoutes(clients)],
    ["/cart", cartRoutes(clients)],
    ["/checkout", checkoutRoutes(clients)],
    ["/orders", orderRoutes(clients)],
  ];
  for (const [path, routes] of resources) {
    // Hono's "/cart/*" also matches "/cart" itself.
    api.use(`${path}/*`, ...authenticated);
    api.route(path, routes);
  }

  app.route("/api/v1", api);
  return app;
}
