import type { Context, MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../context.js";
import { ProblemError, problem } from "../problems.js";
import type { RateLimitStore } from "../rate-limit/store.js";

export interface RateLimitOptions {
  store: RateLimitStore;
  /** The policy's name in the RateLimit headers ("ip", "user"). */
  policy: string;
  /** Requests per minute per key; 0 turns this limiter off. */
  limitPerMinute: number;
  /** The bucket a request counts against; undefined skips limiting. */
  key: (c: Context<GatewayEnv>) => string | undefined;
}

/**
 * Takes a token from the request's bucket. Every answer carries the policy and what is left in
 * the format of draft-ietf-httpapi-ratelimit-headers-10 (structured-field lists, one member per
 * policy: `RateLimit-Policy: "user";q=600;w=60` and `RateLimit: "user";r=599;t=1`); an empty
 * bucket is a 429 problem with `Retry-After`.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<GatewayEnv> {
  const policy = `"${options.policy}";q=${options.limitPerMinute};w=60`;
  return async function rateLimit(c, next) {
    const key = options.limitPerMinute > 0 ? options.key(c) : undefined;
    if (key !== undefined) {
      const decision = await options.store.take(`${options.policy}:${key}`, options.limitPerMinute);
      if (!decision.failedOpen) {
        c.header("RateLimit-Policy", policy, { append: true });
        c.header("RateLimit", `"${options.policy}";r=${decision.remaining};t=${decision.resetSeconds}`, {
          append: true,
        });
      }
      if (!decision.allowed) {
        throw new ProblemError(
          problem("rate-limited", 429, `more than ${options.limitPerMinute} requests per minute; retry later`, {
            retry_after: decision.retryAfterSeconds,
          }),
          { "Retry-After": String(decision.retryAfterSeconds) },
        );
      }
    }
    await next();
  };
}
