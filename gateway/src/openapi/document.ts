import type { OpenAPIHono } from "@hono/zod-openapi";
import type { GatewayEnv } from "../context.js";
import { BEARER_SCHEME } from "./responses.js";

/** The served document's path (also under /api/v1). */
export const OPENAPI_PATH = "/openapi.json";

/** The API's name, in the document and on its reference page. */
export const API_TITLE = "checkout-saga REST API";

/** Registers what the routes refer to but do not declare themselves: the bearer scheme. */
export function registerSecuritySchemes(app: OpenAPIHono<GatewayEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", BEARER_SCHEME, {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "HS256 with the gateway's JWT_SECRET, or RS256 from the identity provider's JWKS (JWT_JWKS_URL); `exp` required, `sub` is the user",
  });
}

/**
 * The OpenAPI 3.1 document of `app`, generated from the same zod schemas that validate the
 * requests, so it cannot drift from the routes. Built once: the routes do not change at runtime.
 */
export function openApiDocument(app: OpenAPIHono<GatewayEnv>) {
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: API_TITLE,
      version: "1.0.0",
      description:
        "The gateway in front of the checkout-saga services. JSON in snake_case; money as integer minor units; " +
        "every error is application/problem+json (RFC 9457) with a stable `type` " +
        "(https://checkout-saga.dev/problems/…, listed in the gateway README).",
    },
    tags: [
      { name: "catalog" },
      { name: "cart" },
      { name: "checkout" },
      { name: "orders" },
      { name: "points" },
      { name: "admin", description: "For operators: needs a bearer token whose `roles` contain `admin`" },
      { name: "dev" },
      { name: "health" },
    ],
  });
}
