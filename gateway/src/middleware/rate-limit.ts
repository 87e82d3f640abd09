import type { Context, MiddlewareHandler } from "hono";
import { type RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import type { GatewayEnv } from "../context.js";
import { ProblemError, problem } from "../problems.js";

export interface RateLimitOptions {
  limiter: RateLimiterAbstract;
  /** The policy's name in the RateLimit headers ("ip", "user"). */
  policy: string;
  /** The counter a request counts against; undefined skips limiting. */
  key: (c: Context<GatewayEnv>) => string | undefined;
}

/**
 * Counts the request against its key. Every answer carries the policy and what is left in the
 * format of draft-ietf-httpapi-ratelimit-headers-10 (structured-field lists, one member per
 * policy: `RateLimit-Policy: "user";q=600;w=60` and `RateLimit: "user";r=599;t=60`, `t` being
 * the seconds until the window resets); a spent allowance is a 429 problem with `Retry-After`.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<GatewayEnv> {
  const { limiter } = options;
  const policy = `"${options.policy}";q=${limiter.points};w=${limiter.duration}`;
  return async function rateLimit(c, next) {
    const key = options.key(c);
    if (key !== undefined) {
      let res: RateLimiterRes;
      let allowed = true;
      try {
        res = await limiter.consume(key);
      } catch (refused) {
        // A refusal rejects with the limiter's answer; anything else is a bug worth a 500.
        if (!(refused instanceof RateLimiterRes)) throw refused;
        res = refused;
        allowed = false;
      }
      const resetSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      c.header("RateLimit-Policy", policy, { append: true });
      c.header("RateLimit", `"${options.policy}";r=${res.remainingPoints};t=${resetSeconds}`, { append: true });
      if (!allowed) {
        throw new ProblemError(
          problem("rate-limited", 429, `more than ${limiter.points} requests per minute; retry later`, {
            retry_after: resetSeconds,
          }),
          { "Retry-After": String(resetSeconds) },
        );
      }
    }
    await next();
  };
}
