import type { Logger } from "@checkout-saga/shared";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../context.js";

/**
 * Puts the request's logger (a child with `request_id`, so every line of this request carries
 * it) and its default deadline on the context, and logs one access line at debug level.
 * Runs after the request-id middleware.
 */
export function requestContext(options: { logger: Logger; deadlineMs: number }): MiddlewareHandler<GatewayEnv> {
  return async function requestContext(c, next) {
    const started = Date.now();
    const log = options.logger.child({ request_id: c.get("requestId") });
    c.set("log", log);
    c.set("deadline", started + options.deadlineMs);
    await next();
    log.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Date.now() - started }, "request");
  };
}

/** A route whose deadline differs from the default (POST /checkout waits for the saga). */
export function routeDeadline(deadlineMs: number): MiddlewareHandler<GatewayEnv> {
  return async function routeDeadline(c, next) {
    c.set("deadline", Date.now() + deadlineMs);
    await next();
  };
}
