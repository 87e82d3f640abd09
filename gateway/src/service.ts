import type { Server } from "node:http";
import {
  createMetricsRegistry,
  createUserAssertions,
  GATEWAY,
  type InProcessServices,
  type Logger,
  loadRpcTrust,
  type Running,
} from "@checkout-saga/shared";
import { serve } from "@hono/node-server";
import { createGatewayApp } from "./app.js";
import { answerClientErrors, MAX_HEADER_BYTES } from "./client-errors.js";
import { createGatewayClients, createPaymentServiceClients } from "./clients.js";
import type { GatewayConfig } from "./config.js";
import { discardUnreadBodies } from "./lingering-close.js";
import { createRateLimitRedis, redisReady } from "./rate-limit/redis-client.js";

export interface Gateway extends Running {
  readonly port: number;
  /** Base URL for local callers, e.g. http://127.0.0.1:8080. */
  readonly url: string;
}

/** How long start-up waits for the rate-limit Redis before limiting per instance without it. */
const REDIS_READY_TIMEOUT_MS = 2_000;

/** How long stop() lets in-flight requests finish before cutting connections. */
const STOP_GRACE_MS = 5_000;

/**
 * Loads its key (service credentials, user assertions), builds the service clients, the rate
 * limiters (on Redis when REDIS_URL is set, so every instance shares the counters; else in
 * memory) and the app, and serves it over HTTP/1.1.
 */
export async function startGateway(
  config: GatewayConfig,
  logger: Logger,
  deps: { inProcess?: InProcessServices } = {},
): Promise<Gateway> {
  if (config.usesDevJwtSecret) {
    logger.warn("JWT_SECRET is not set: signing tokens with the built-in dev secret (dev tokens are on)");
  }
  const trust = await loadRpcTrust(GATEWAY, config.credentials);
  const redis = config.redisUrl === undefined ? undefined : createRateLimitRedis(config.redisUrl, logger);
  if (redis && !(await redisReady(redis, REDIS_READY_TIMEOUT_MS))) {
    logger.warn("rate-limit Redis is not reachable yet: requests are limited per instance until it is");
  }
  const paymentService = createPaymentServiceClients(
    config.paymentUrl,
    deps.inProcess?.transport,
    trust.clientInterceptors,
  );
  const app = createGatewayApp({
    clients: createGatewayClients(config.serviceUrls, deps.inProcess?.transport, trust.clientInterceptors),
    // The dev pay route exists only with dev routes on: no PaymentService client otherwise.
    payments: config.devTokens ? paymentService.payments : undefined,
    points: paymentService.points,
    userAssertions: trust.signingKey && createUserAssertions({ key: trust.signingKey }),
    config,
    logger,
    rateLimitRedis: redis,
    metrics: createMetricsRegistry("gateway"),
  });
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = serve(
        {
          fetch: app.fetch,
          port: config.port,
          hostname: config.host,
          serverOptions: { maxHeaderSize: MAX_HEADER_BYTES },
          // The lingering close below drains refused bodies instead.
          autoCleanupIncoming: false,
        },
        () => resolve(s as Server),
      );
      s.once("error", reject);
    });
  } catch (err) {
    redis?.disconnect();
    throw err;
  }
  discardUnreadBodies(server);
  answerClientErrors(server);
  // A slow client may not hold a socket longer than the longest route may take.
  server.requestTimeout = Math.max(config.requestTimeoutMs, config.checkoutTimeoutMs) + 5_000;
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://127.0.0.1:${port}`;
  logger.info(
    {
      port,
      devTokens: config.devTokens,
      rateLimitPerMinute: config.rateLimitPerMinute,
      rateLimitStore: redis ? "redis" : "memory",
      jwks: config.jwks?.url,
      rpcCredentials: config.credentials.required ? "on" : trust.signingKey ? "off, signing" : "off",
    },
    "gateway listening",
  );
  const close = async () => {
    const closed = new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
    try {
      await closed;
    } finally {
      clearTimeout(timer);
      redis?.disconnect();
    }
  };
  let stopped: Promise<void> | undefined;
  return {
    port,
    url,
    /** Idempotent: a second call waits for the first. */
    stop() {
      stopped ??= close();
      return stopped;
    },
  };
}
