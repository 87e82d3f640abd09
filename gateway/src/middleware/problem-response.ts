import type { Logger } from "@checkout-saga/shared";
import { ConnectError } from "@connectrpc/connect";
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

/**
 * The one error handler at the edge: problems pass through, downstream Connect errors are
 * mapped once (connect-errors.ts), anything else is a 500 that says nothing about its cause.
 * Every 5xx is logged with its request id and cause.
 */
export function problemErrorHandler(logger: Logger): ErrorHandler<GatewayEnv> {
  return (err, c) => {
    let p: Problem;
    let headers: Record<string, string> = {};
    if (err instanceof ProblemError) {
      p = err.problem;
      headers = err.headers;
    } else if (err instanceof ConnectError) {
      p = problemFromConnectError(err);
    } else if (err instanceof HTTPException && err.status < 500) {
      p = problem(
        err.status === 404 ? "not-found" : "bad-request",
        err.status,
        err.message || "the request was refused",
      );
    } else {
      p = problem("internal-error", 500, "internal error");
    }
    if (p.status >= 500) {
      const cause = err instanceof ProblemError ? (err.cause ?? err) : err;
      logger.error(
        { err: cause, request_id: c.get("requestId"), method: c.req.method, path: c.req.path, status: p.status },
        "request failed",
      );
    }
    return problemResponse(c, p, headers);
  };
}

/** Unknown routes are problems too. */
export function problemNotFound(): NotFoundHandler<GatewayEnv> {
  return (c) => problemResponse(c, problem("not-found", 404, `no route for ${c.req.method} ${c.req.path}`));
}
