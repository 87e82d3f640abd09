import type { MiddlewareHandler } from "hono";
import type { GatewayEnv } from "../context.js";
import { ProblemError, problem } from "../problems.js";

/**
 * A JSON media type with optional parameters, as @hono/zod-openapi's own media-type gate
 * accepts it (so the two never disagree).
 */
const JSON_MEDIA_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

/**
 * Runs before a route's schema validators on routes with a JSON body: refuses, with a 4xx
 * problem naming what is wrong, a body not declared as JSON (415), an empty one or one that is
 * not JSON (400 `invalid-json`, with the parser's message). The text it reads stays cached on
 * the request, so the validator parses the same bytes. The size limit is enforced earlier (413).
 */
export function jsonBody(): MiddlewareHandler<GatewayEnv> {
  return async function jsonBody(c, next) {
    const contentType = c.req.header("content-type") ?? "";
    if (!JSON_MEDIA_TYPE.test(contentType)) {
      throw new ProblemError(
        problem(
          "unsupported-media-type",
          415,
          contentType
            ? `the body must be application/json, got ${contentType.slice(0, 100)}`
            : "the body must be application/json; the Content-Type header is missing",
        ),
      );
    }
    const text = await c.req.text();
    if (text.trim() === "") throw new ProblemError(problem("invalid-json", 400, "the request body is empty"));
    try {
      JSON.parse(text);
    } catch (err) {
      throw new ProblemError(problem("invalid-json", 400, `the body is not valid JSON: ${(err as Error).message}`));
    }
    await next();
  };
}
