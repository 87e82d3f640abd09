import { withLogContext } from "@checkout-saga/shared";
import type { MiddlewareHandler } from "hono";
import { JwksUnavailableError } from "../auth/jwks-keys.js";
import { InvalidTokenError, type TokenVerifier } from "../auth/tokens.js";
import type { GatewayEnv } from "../context.js";
import { ProblemError, problem } from "../problems.js";

/** RFC 6750: every refusal names the scheme so clients know to fetch a new token. */
function refuse(detail: string): never {
  throw new ProblemError(problem("invalid-token", 401, detail), {
    "WWW-Authenticate": 'Bearer error="invalid_token"',
  });
}

/**
 * Requires `Authorization: Bearer <JWT>` and puts the token's `sub` on the context as
 * `userId`, its `roles` as `roles` (and the user on the log context, so the request's lines
 * carry `user_id`). A refused token is a 401 problem; an identity provider whose keys cannot be
 * fetched is a 503 (the token may well be valid).
 */
export function bearerAuth(options: { verify: TokenVerifier }): MiddlewareHandler<GatewayEnv> {
  return async function bearerAuth(c, next) {
    let userId: string;
    const header = c.req.header("authorization");
    if (!header) refuse("an Authorization: Bearer token is required");
    const match = /^Bearer +([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
    if (!match?.[1]) refuse("the Authorization header must be 'Bearer <token>'");
    try {
      const user = await options.verify(match[1]);
      userId = user.userId;
      c.set("userId", userId);
      c.set("roles", user.roles);
    } catch (err) {
      if (err instanceof InvalidTokenError) refuse(err.message);
      if (err instanceof JwksUnavailableError) {
        throw new ProblemError(
          problem("service-unavailable", 503, "the identity provider's signing keys are unavailable; retry later"),
          {},
          { cause: err },
        );
      }
      throw err;
    }
    await withLogContext({ userId }, next);
  };
}
