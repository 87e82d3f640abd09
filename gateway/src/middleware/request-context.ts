import { type Logger, withLogContext } from "@checkout-saga/shared";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../context.js";

/**
 * Runs the request inside a log context holding its id, so every line logged while it is
 * handled carries `request_id` (and `user_id` once authenticated); puts the logger and the
 * default deadline on the context, and logs one access line at debug level. Runs after the
 * request-id middleware.
 */
export function requestContext(options: { logger: Logger; deadlineMs: number }): MiddlewareHandler<GatewayEnv> {
  return async function requestContext(c, next) {
    const started = Date.now();
    const log = options.logger;
    c.set("log", log);
    c.set("deadline", started + options.deadlineMs);
    await withLogContext({ requestId: c.get("requestId") }, async () => {
      await next();
      log.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Date.now() - started }, "request");
    });
  };
}

/** A route whose deadline differs from the default (POST /checkout waits for the saga). */
export function routeDeadline(deadlineMs: number): MiddlewareHandler<GatewayEnv> {
  return async function routeDeadline(c, next) {
    c.set("deadline", Date.now() + deadlineMs);
    await next();
  };
}
