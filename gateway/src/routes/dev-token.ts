import { Hono } from "hono";
import { DEV_TOKEN_TTL_SECONDS, issueToken, USER_ID_PATTERN } from "../auth/tokens.js";
import type { GatewayEnv } from "../context.js";
import { readJsonBody } from "../validation/json-body.js";
import { object, string } from "../validation/schema.js";

const tokenBody = object({
  user_id: string({ max: 128, pattern: USER_ID_PATTERN, hint: "1..128 letters, digits or . _ @ : | -" }),
});

/**
 * POST /dev/token: a bearer token for any user, no questions asked. Mounted only when
 * AUTH_DEV_TOKENS=true (embedded mode, local development).
 */
export function devTokenRoutes(options: { secret: string; now?: () => Date }): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  app.post("/token", async (c) => {
    const body = await readJsonBody(c, tokenBody);
    const token = await issueToken(options.secret, body.user_id, { now: options.now?.() });
    c.header("Cache-Control", "no-store");
    return c.json({ token, token_type: "Bearer", expires_in: DEV_TOKEN_TTL_SECONDS });
  });
  return app;
}
