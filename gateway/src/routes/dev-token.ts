import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { DEV_TOKEN_TTL_SECONDS, issueToken } from "../auth/tokens.js";
import type { GatewayEnv } from "../context.js";
import { jsonRequestBody, jsonResponse, problemResponses } from "../openapi/responses.js";
import { DevTokenSchema } from "../openapi/schemas.js";
import { jsonBody } from "../validation/json-body.js";
import { requestBindings } from "./request-bindings.js";

const { issueDevToken } = requestBindings;

export const devTokenRoute = createRoute({
  operationId: "issueDevToken",
  tags: ["dev"],
  summary: "A bearer token for any user, with any roles (only when AUTH_DEV_TOKENS=true)",
  method: "post",
  path: "/token",
  middleware: [jsonBody()] as const,
  request: { body: jsonRequestBody(issueDevToken.body, "The user the token is for, and its roles (`admin`)") },
  responses: {
    200: jsonResponse(DevTokenSchema, "An HS256 token valid for an hour"),
    ...problemResponses(400, 413, 415, 429, 500),
  },
});

/**
 * POST /dev/token: a bearer token for any user, with the roles asked for (`admin` opens the
 * admin routes), no questions asked. Mounted only when AUTH_DEV_TOKENS=true (embedded mode,
 * local development).
 */
export function devTokenRoutes(options: { secret: string; now?: () => Date }): OpenAPIHono<GatewayEnv> {
  const app = new OpenAPIHono<GatewayEnv>();
  app.openapi(devTokenRoute, async (c) => {
    const { userId = "", roles = [] } = issueDevToken.rpcRequest(c);
    const token = await issueToken(options.secret, userId, {
      now: options.now?.(),
      ...(roles.length > 0 ? { roles: [...new Set(roles)] } : {}),
    });
    c.header("Cache-Control", "no-store");
    return c.json({ token, token_type: "Bearer" as const, expires_in: DEV_TOKEN_TTL_SECONDS }, 200);
  });
  return app;
}
