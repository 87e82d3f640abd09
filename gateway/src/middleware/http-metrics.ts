import { Counter, Histogram, LATENCY_BUCKETS, METRIC_PREFIX, type Registry } from "@checkout-saga/shared";
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { GatewayEnv } from "../context.js";

/**
 * Times every request and counts server errors, by method, route pattern (`/api/v1/checkout/:id`,
 * never the raw path, so ids do not multiply series) and status. A request no route matched is
 * labelled `unmatched`. Registered first, so it sees the status the error handler chose.
 */
export function httpMetrics(options: { registry: Registry }): MiddlewareHandler<GatewayEnv> {
  const labelNames = ["method", "route", "status"] as const;
  const duration = new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: "Time to answer an HTTP request at the gateway, by method, route and status.",
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [options.registry],
  });
  const errors = new Counter({
    name: `${METRIC_PREFIX}http_server_errors_total`,
    help: "HTTP requests the gateway answered with a 5xx status, by method, route and status.",
    labelNames,
    registers: [options.registry],
  });
  return async function httpMetrics(c, next) {
    const started = performance.now();
    await next();
    const labels = { method: c.req.method, route: routeOf(c), status: String(c.res.status) };
    duration.observe(labels, (performance.now() - started) / 1000);
    if (c.res.status >= 500) errors.inc(labels);
  };
}

/** The pattern of the route that matched (middleware, registered for ALL methods, does not count). */
export function routeOf(c: Context<GatewayEnv>): string {
  return matchedRoutes(c).findLast((r) => r.method !== "ALL")?.path ?? "unmatched";
}
