import type { Server } from "node:http";
import type { Logger, Running } from "@checkout-saga/shared";
import { serve } from "@hono/node-server";
import { createGatewayApp } from "./app.js";
import { createGatewayClients } from "./clients.js";
import type { GatewayConfig } from "./config.js";

export interface Gateway extends Running {
  readonly port: number;
  /** Base URL for local callers, e.g. http://127.0.0.1:8080. */
  readonly url: string;
}

/** How long stop() lets in-flight requests finish before cutting connections. */
const STOP_GRACE_MS = 5_000;

/** Builds the service clients and the app, and serves it over HTTP/1.1. */
export async function startGateway(config: GatewayConfig, logger: Logger): Promise<Gateway> {
  if (config.usesDevJwtSecret) {
    logger.warn("JWT_SECRET is not set: signing tokens with the built-in dev secret (dev tokens are on)");
  }
  const app = createGatewayApp({ clients: createGatewayClients(config.serviceUrls), config, logger });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s as Server));
    s.once("error", reject);
  });
  // A slow client may not hold a socket longer than a request may take.
  server.requestTimeout = config.requestTimeoutMs + 5_000;
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://127.0.0.1:${port}`;
  logger.info(
    { port, devTokens: config.devTokens, rateLimitPerMinute: config.rateLimitPerMinute },
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
