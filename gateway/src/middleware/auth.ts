import type { MiddlewareHandler } from "hono";
import { InvalidTokenError, verifyToken } from "../auth/tokens.js";
import type { GatewayEnv } from "../context.js";
import { ProblemError, problem } from "../problems.js";

export interface BearerAuthOptions {
  /** HS256 secret. */
  secret: string;
  /** Clock for expiry checks; tests pass a fixed one. */
  now?: () => Date;
}

/** RFC 6750: every refusal names the scheme so clients know to fetch a new token. */
function refuse(detail: string): never {
  throw new ProblemError(problem("invalid-token", 401, detail), {
    "WWW-Authenticate": 'Bearer error="invalid_token"',
  });
}

/**
 * Requires `Authorization: Bearer <JWT>` (HS256, `exp` required) and puts the token's
 * `sub` on the context as `userId`. Anything else is a 401 problem.
 */
export function bearerAuth(options: BearerAuthOptions): MiddlewareHandler<GatewayEnv> {
  const now = options.now ?? (() => new Date());
  return async function bearerAuth(c, next) {
    const header = c.req.header("authorization");
    if (!header) refuse("an Authorization: Bearer token is required");
    const match = /^Bearer +([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
    if (!match?.[1]) refuse("the Authorization header must be 'Bearer <token>'");
    try {
      c.set("userId", await verifyToken(options.secret, match[1], now()));
    } catch (err) {
      if (err instanceof InvalidTokenError) refuse(err.message);
      throw err;
    }
    await next();
  };
}
