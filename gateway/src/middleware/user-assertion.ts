import type { UserAssertions } from "@checkout-saga/shared";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../context.js";

/**
 * Signs the authenticated user (and roles) into the user assertion every service call of this
 * request carries (`callOptions`): the services believe that, never a user id in a request
 * field. Runs after `bearerAuth`. One assertion per user is reused for half its life, so a
 * request pays a map lookup, not a signature.
 */
export function userAssertion(options: { assertions: UserAssertions }): MiddlewareHandler<GatewayEnv> {
  return async function userAssertion(c, next) {
    c.set("userAssertion", await options.assertions.assertionFor({ userId: c.get("userId"), roles: c.get("roles") }));
    await next();
  };
}
