import { type Logger, Registry, type UserAssertions } from "@checkout-saga/shared";
import type { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import type { PointsService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/points_pb";
import type { Client } from "@connectrpc/connect";
import { getConnInfo } from "@hono/node-server/conninfo";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { except } from "hono/combine";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { Redis } from "ioredis";
import { createJwksKeys } from "./auth/jwks-keys.js";
import { createTokenVerifier } from "./auth/tokens.js";
import type { GatewayClients } from "./clients.js";
import type { GatewayConfig } from "./config.js";
import type { GatewayEnv } from "./context.js";
import { inspectorRoutes } from "./inspector/inspector-routes.js";
import { adminOnly } from "./middleware/admin-only.js";
import { bearerAuth } from "./middleware/auth.js";
import { httpMetrics } from "./middleware/http-metrics.js";
import { methodNotAllowed } from "./middleware/method-not-allowed.js";
import { problemErrorHandler, problemNotFound } from "./middleware/problem-response.js";
import { rateLimit } from "./middleware/rate-limit.js";
import { requestContext } from "./middleware/request-context.js";
import { userAssertion } from "./middleware/user-assertion.js";
import { API_TITLE, OPENAPI_PATH, openApiDocument, registerSecuritySchemes } from "./openapi/document.js";
import { ProblemError, problem } from "./problems.js";
import { createRateLimiter } from "./rate-limit/limiter.js";
import { adminCancellationRoutes } from "./routes/admin-cancellations.js";
import { adminCartRoutes } from "./routes/admin-carts.js";
import { adminCheckoutEventRoutes } from "./routes/admin-checkout-events.js";
import { adminCheckoutRoutes } from "./routes/admin-checkouts.js";
import { adminDeadLetterRoutes } from "./routes/admin-dead-letters.js";
import { adminOrderRoutes } from "./routes/admin-orders.js";
import { adminOutboxRoutes } from "./routes/admin-outbox.js";
import { adminProductRoutes } from "./routes/admin-products.js";
import { apiDocsRoutes, DOCS_PATH } from "./routes/api-docs.js";
import { cartRoutes } from "./routes/cart.js";
import { checkoutRoutes } from "./routes/checkout.js";
import { devPaymentRoutes } from "./routes/dev-payments.js";
import { devTokenRoutes } from "./routes/dev-token.js";
import { healthRoutes } from "./routes/health.js";
import { orderRoutes } from "./routes/orders.js";
import { paymentWebhookRoutes } from "./routes/payment-webhooks.js";
import { pointsRoutes } from "./routes/points.js";
import { productRoutes } from "./routes/products.js";
import { refuseInvalid } from "./validation/validation-problem.js";

/** What the gateway needs; tests pass clients built on createRouterTransport. */
export interface GatewayDeps {
  clients: GatewayClients;
  /** The payment service, for the dev pay route only (mounted with dev routes when given). */
  payments?: Client<typeof PaymentService>;
  /** The payment service's points ledger, for GET /points. */
  points: Client<typeof PointsService>;
  config: GatewayConfig;
  logger: Logger;
  /** Redis shared by every instance for rate-limit counters (REDIS_URL); in memory without it. */
  rateLimitRedis?: Redis;
  /** Clock for tokens; the real one by default. */
  now?: () => Date;
  /** How the JWKS is fetched (tests inject one); the global fetch by default. */
  fetch?: typeof fetch;
  /** Where request metrics go, served at GET /metrics; a fresh registry by default. */
  metrics?: Registry;
  /**
   * Signs the user assertion each authenticated request's service calls carry; without it (no
   * key: credentials off) the services take the user from the request fields, as an internal caller's.
   */
  userAssertions?: UserAssertions;
}

/** The client's address as the socket reports it (no proxy headers are trusted). */
function clientAddress(c: Context<GatewayEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** Headers a browser client may send and read (CORS). */
const CORS_REQUEST_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"];
const CORS_RESPONSE_HEADERS = [
  "X-Request-Id",
  "RateLimit",
  "RateLimit-Policy",
  "Retry-After",
  "Idempotent-Replayed",
  "Location",
  "WWW-Authenticate",
];

/**
 * The gateway's web pages and their assets, the saga inspector and the API reference: pages, not
 * the JSON API, so they get the page policy below instead of the API's.
 */
const PAGE_PATHS = ["/inspector/*", DOCS_PATH, `${DOCS_PATH}/*`];

/** An OpenAPIHono whose failed validations become validation-error problems. */
const routesApp = () => new OpenAPIHono<GatewayEnv>({ defaultHook: refuseInvalid });

/**
 * The REST gateway: one sub-app per resource under /api/v1, one error handler at the edge,
 * and the OpenAPI document generated from the routes' own schemas at /openapi.json.
 * Everything under /api/v1 needs a bearer token except the dev routes and the signed payment
 * webhooks, and /api/v1/admin a token with the admin role; health probes and the
 * document live at the root and under /api/v1, unauthenticated and not rate-limited.
 */
export function createGatewayApp(deps: GatewayDeps): OpenAPIHono<GatewayEnv> {
  const { clients, config, logger } = deps;
  // RATE_LIMIT_PER_MINUTE=0 turns limiting off: no limiter, no middleware, no headers.
  const limiter = (policy: string) =>
    config.rateLimitPerMinute > 0
      ? createRateLimiter({ policy, pointsPerMinute: config.rateLimitPerMinute, redis: deps.rateLimitRedis, logger })
      : undefined;
  const ipLimiter = limiter("ip");
  const userLimiter = limiter("user");
  const verify = createTokenVerifier({
    secret: config.jwtSecret,
    jwks: config.jwks && {
      keySet: createJwksKeys({ url: config.jwks.url, fetch: deps.fetch }),
      issuer: config.jwks.issuer,
      audience: config.jwks.audience,
    },
    now: deps.now,
  });

  const metrics = deps.metrics ?? new Registry();
  const app = routesApp();
  app.onError(problemErrorHandler(logger));
  app.notFound(problemNotFound());
  app.use(httpMetrics({ registry: metrics }));
  app.use(
    except(
      PAGE_PATHS,
      secureHeaders({
        // An API answers JSON only: nothing in it may load, frame or run anything.
        contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
        crossOriginResourcePolicy: "same-origin",
      }),
    ),
  );
  // Pages: scripts, styles and data from this gateway only (they work with no internet), never
  // framed. Images may be data: URLs, as Swagger UI's stylesheet draws its icons; no
  // 'unsafe-inline', as both pages load their scripts and styles from files.
  const pagePolicy = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
    },
    crossOriginResourcePolicy: "same-origin",
  });
  for (const path of PAGE_PATHS) app.use(path, pagePolicy);
  if (config.corsAllowedOrigins.length > 0) {
    app.use(
      cors({
        origin: config.corsAllowedOrigins.includes("*") ? "*" : config.corsAllowedOrigins,
        allowMethods: ["GET", "POST", "PUT", "DELETE"],
        allowHeaders: CORS_REQUEST_HEADERS,
        exposeHeaders: CORS_RESPONSE_HEADERS,
        maxAge: 600,
      }),
    );
  }
  app.use(requestId({ headerName: "X-Request-Id", limitLength: 128 }));
  app.use(requestContext({ logger, deadlineMs: config.requestTimeoutMs }));
  app.use(methodNotAllowed(() => app.routes));

  app.route("/health", healthRoutes(clients));
  // The operators' page; its data calls go to /api/v1/admin like any admin client's.
  app.route("/inspector", inspectorRoutes());
  // Prometheus text for scrapers: operations, not part of the documented REST API.
  app.get("/metrics", async (c) => c.body(await metrics.metrics(), 200, { "content-type": metrics.contentType }));
  // The interactive reference, for people: a page, not part of the documented REST API either.
  app.route(DOCS_PATH, apiDocsRoutes({ documentPath: OPENAPI_PATH, title: API_TITLE }));

  const api = routesApp();
  // Hono runs handlers in registration order: health, registered first, answers before the
  // rate limiter and body limit below are reached.
  api.route("/health", healthRoutes(clients, { hidden: true }));
  api.get(OPENAPI_PATH, (c) => c.json(document()));
  if (ipLimiter) api.use(rateLimit({ limiter: ipLimiter, policy: "ip", key: (c) => clientAddress(c) }));
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
  if (config.devTokens && config.jwtSecret !== undefined) {
    api.route("/dev", devTokenRoutes({ secret: config.jwtSecret, now: deps.now }));
  }
  if (config.devTokens && deps.payments) api.route("/dev", devPaymentRoutes(deps.payments));
  // The provider's notifications: no bearer token, the signature is the credential.
  api.route("/webhooks", paymentWebhookRoutes(clients, { secret: config.paymentWebhookSecret }));

  const authenticated: MiddlewareHandler<GatewayEnv>[] = [bearerAuth({ verify })];
  if (userLimiter) authenticated.push(rateLimit({ limiter: userLimiter, policy: "user", key: (c) => c.get("userId") }));
  // After the limiter: a refused request costs no signature.
  if (deps.userAssertions) authenticated.push(userAssertion({ assertions: deps.userAssertions }));
  const resources: Array<[string, OpenAPIHono<GatewayEnv>]> = [
    ["/products", productRoutes(clients)],
    ["/cart", cartRoutes(clients)],
    ["/checkout", checkoutRoutes(clients, { deadlineMs: config.checkoutTimeoutMs })],
    ["/orders", orderRoutes(clients)],
    ["/points", pointsRoutes(deps.points)],
  ];
  for (const [path, routes] of resources) {
    // Hono's "/cart/*" also matches "/cart" itself.
    api.use(`${path}/*`, ...authenticated);
    api.route(path, routes);
  }
  // Operators' routes: one guard for all of /admin, so a route added there cannot forget it.
  api.use("/admin/*", ...authenticated, adminOnly());
  api.route("/admin/orders", adminOrderRoutes(clients));
  api.route("/admin/carts", adminCartRoutes(clients));
  api.route("/admin/checkouts", adminCheckoutRoutes(clients));
  api.route("/admin/checkouts", adminCheckoutEventRoutes(clients));
  api.route("/admin/cancellations", adminCancellationRoutes(clients));
  api.route("/admin/outbox", adminOutboxRoutes(clients));
  api.route("/admin/dead-letters", adminDeadLetterRoutes(clients));
  api.route("/admin/products", adminProductRoutes(clients));

  app.route("/api/v1", api);
  registerSecuritySchemes(app);
  let built: ReturnType<typeof openApiDocument> | undefined;
  const document = () => {
    built ??= openApiDocument(app);
    return built;
  };
  app.get(OPENAPI_PATH, (c) => c.json(document()));
  return app;
}
