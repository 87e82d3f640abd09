import { ADMIN_ROLE } from "@checkout-saga/shared";
import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../context.js";
import { ProblemError, problem } from "../problems.js";

/** Methods that change nothing: not worth an audit line. */
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Lets through only a token whose `roles` contain `role` (default `admin`); anyone else gets a
 * 403 `admin-role-required` problem before any service is called. Runs after `bearerAuth`. Every
 * change it lets through is logged once answered, with the admin's user id and the outcome, so
 * an operator's action can be traced to the person (the services record it too, from the
 * user assertion).
 */
export function adminOnly(options: { role?: string } = {}): MiddlewareHandler<GatewayEnv> {
  const role = options.role ?? ADMIN_ROLE;
  return async function adminOnly(c, next) {
    const adminId = c.get("userId");
    if (!c.get("roles").includes(role)) {
      throw new ProblemError(problem("admin-role-required", 403, `this route needs a token with the ${role} role`));
    }
    await next();
    if (READS.has(c.req.method)) return;
    c.get("log").info(
      { adminId, method: c.req.method, path: c.req.path, status: c.res.status },
      "admin change by %s",
      adminId,
    );
  };
}
