import { type Logger, recordFailure, SpanKind, SpanStatusCode, tracer, withLogContext } from "@checkout-saga/shared";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../context.js";
import { routeOf } from "./http-metrics.js";

const gatewayTracer = tracer("gateway");

/**
 * Runs the request inside a log context holding its id, so every line logged while it is
 * handled carries `request_id` (and `user_id` once authenticated), inside a SERVER span (the
 * root of the request's trace, named by method and route); puts the logger and the default
 * deadline on the context, and logs one access line at debug level. Runs after the request-id
 * middleware.
 */
export function requestContext(options: { logger: Logger; deadlineMs: number }): MiddlewareHandler<GatewayEnv> {
  return async function requestContext(c, next) {
    const started = Date.now();
    const log = options.logger;
    c.set("log", log);
    c.set("deadline", started + options.deadlineMs);
    await gatewayTracer.startActiveSpan(
      c.req.method,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": c.req.method, "url.path": c.req.path } },
      (span) =>
        withLogContext({ requestId: c.get("requestId") }, async () => {
          try {
            await next();
          } catch (err) {
            recordFailure(span, err);
            throw err;
          } finally {
            // The route is known only once routing ran.
            const route = routeOf(c);
            span.updateName(`${c.req.method} ${route}`);
            span.setAttributes({ "http.route": route, "http.response.status_code": c.res.status });
            if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
            span.end();
          }
          log.debug(
            { method: c.req.method, path: c.req.path, status: c.res.status, ms: Date.now() - started },
            "request",
          );
        }),
    );
  };
}

/** A route whose deadline differs from the default (POST /checkout waits for the saga). */
export function routeDeadline(deadlineMs: number): MiddlewareHandler<GatewayEnv> {
  return async function routeDeadline(c, next) {
    c.set("deadline", Date.now() + deadlineMs);
    await next();
  };
}
