import type { Logger } from "@checkout-saga/shared";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { problemFromConnectError } from "../connect-errors.js";
import type { GatewayEnv } from "../context.js";
import { PROBLEM_CONTENT_TYPE, type Problem, ProblemError, problem } from "../problems.js";

/** Sends `p` as application/problem+json, stamped with the request path and id. */
export function problemResponse(c: Context<GatewayEnv>, p: Problem, headers: Record<string, string> = {}): Response {
  const body: Problem = { ...p, instance: c.req.path, request_id: c.get("requestId") };
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  c.header("Content-Type", PROBLEM_CONTENT_TYPE);
  return c.body(JSON.stringify(body), p.status as ContentfulStatusCode);
}

/** Slugs for the refusals hono itself raises (body limit, media type, malformed JSON). */
const httpExceptionSlugs: Record<number, string> = {
  400: "bad-request",
  404: "not-found",
  413: "payload-too-large",
  415: "unsupported-media-type",
};

/** The status nginx made customary for "the client closed the request"; nobody reads it. */
const CLIENT_CLOSED_REQUEST = 499;

/**
 * The one error handler at the edge: problems pass through, downstream Connect errors are
 * mapped once (connect-errors.ts), anything else is a 500 that says nothing about its cause.
 * Every 5xx is logged with its request id and cause, on the request's own logger.
 */
/** Seconds a client waits before retrying when a service was unavailable. */
const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 1;

export function problemErrorHandler(logger: Logger): ErrorHandler<GatewayEnv> {
  return (err, c) => {
    const log = c.get("log") ?? logger.child({ request_id: c.get("requestId") });
    if (c.req.raw.signal.aborted && err instanceof ConnectError && err.code === Code.Canceled) {
      log.info({ method: c.req.method, path: c.req.path }, "client closed the request; downstream calls cancelled");
      return problemResponse(
        c,
        problem("client-closed-request", CLIENT_CLOSED_REQUEST, "the client closed the request"),
      );
    }
    let p: Problem;
    let headers: Record<string, string> = {};
    if (err instanceof ProblemError) {
      p = err.problem;
      headers = err.headers;
    } else if (err instanceof ConnectError) {
      p = problemFromConnectError(err, c.get("restPlaceOf"));
      // A service was away for a moment (a restart): tell the client when to try again.
      if (p.status === 503) headers = { "Retry-After": String(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS) };
    } else if (err instanceof HTTPException && err.status < 500) {
      const slug = httpExceptionSlugs[err.status] ?? "bad-request";
      p = problem(slug, err.status, err.message || "the request was refused");
    } else {
      p = problem("internal-error", 500, "internal error");
    }
    if (p.status >= 500) {
      const cause = err instanceof ProblemError ? (err.cause ?? err) : err;
      log.error({ err: cause, method: c.req.method, path: c.req.path, status: p.status }, "request failed");
    }
    return problemResponse(c, p, headers);
  };
}

/** Unknown routes are problems too. */
export function problemNotFound(): NotFoundHandler<GatewayEnv> {
  return (c) => problemResponse(c, problem("not-found", 404, `no route for ${c.req.method} ${c.req.path}`));
}
