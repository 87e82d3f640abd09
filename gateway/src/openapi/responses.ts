import type { z } from "@hono/zod-openapi";
import { PROBLEM_CONTENT_TYPE } from "../problems.js";
import { ProblemSchema } from "./schemas.js";

/** The name of the bearer security scheme in the document. */
export const BEARER_SCHEME = "bearerAuth";

/** `security` of a route behind the bearer token. */
export const bearerSecurity = [{ [BEARER_SCHEME]: [] }];

/** What every admin route shares: the `admin` tag, behind the bearer token (an admin's). */
export const ADMIN_ROUTE = { tags: ["admin"], security: bearerSecurity };

/** A documented response header. */
export const responseHeader = (description: string, example?: string) => ({
  description,
  schema: { type: "string" as const, ...(example ? { example } : {}) },
});

/** Headers on every response of a rate-limited route. */
export const commonHeaders = {
  "X-Request-Id": responseHeader("The request's id (the caller's sane X-Request-Id, else generated); also in logs"),
  RateLimit: responseHeader(
    "Remaining quota per policy (draft-ietf-httpapi-ratelimit-headers-10): r = requests left, t = seconds until the bucket is full",
    '"ip";r=598;t=1, "user";r=599;t=1',
  ),
  "RateLimit-Policy": responseHeader(
    "The quota policies: q requests per w seconds, per client address and per user",
    '"ip";q=600;w=60, "user";q=600;w=60',
  ),
};

const descriptions: Record<number, string> = {
  400: "Invalid request: validation-error (with `errors`), invalid-json, idempotency-key-missing, invalid-idempotency-key, invalid-page-token, or bad-request (not valid HTTP/1.1)",
  401: "invalid-token: missing, malformed, expired or wrongly signed bearer token (with `WWW-Authenticate`)",
  402: "payment-declined (`checkout_id`, `decline_code`)",
  404: "No such resource, or not the caller's (product-not-found, cart-line-not-found, checkout-not-found, order-not-found)",
  405: "method-not-allowed: the path takes other methods (listed in `Allow`)",
  408: "request-timeout: the request line, headers or body did not arrive in time",
  409: "out-of-stock (`lines`), checkout-in-progress (`held_by`), reservation-lost, idempotency-key-in-flight, cart-line-quantity-limit (the line would pass 99), cart-conflict, conflict",
  413: "payload-too-large (`max_bytes`)",
  415: "unsupported-media-type: the body is not application/json",
  422: "cart-empty, cart-line-limit, idempotency-key-reused, invalid-payment-method (a card without a token or with a store, konbini with a token), konbini-currency-unsupported, konbini-amount-out-of-range (konbini takes JPY, ¥120..¥300,000, after points), points-currency-unsupported (points pay for JPY carts only), points-exceed-total (`requested`, `total_minor`), points-insufficient (`checkout_id`, `requested`, `balance`: the checkout FAILED with nothing reserved)",
  429: "rate-limited (with `Retry-After`)",
  431: "header-fields-too-large: the request line and headers exceed 16 KiB",
  499: "client-closed-request: the client went away before the answer; logged, never read",
  500: "internal-error: details only in the logs, under `request_id`",
  503: "service-unavailable, or step-failed (`checkout_id`): retry after `Retry-After` seconds; POST /checkout with the same Idempotency-Key and body",
  504: "upstream-timeout: the route's deadline passed before a service answered",
};

const extraHeaders: Record<number, Record<string, ReturnType<typeof responseHeader>>> = {
  401: { "WWW-Authenticate": responseHeader("The bearer challenge", 'Bearer error="invalid_token"') },
  405: { Allow: responseHeader("The methods the path takes", "GET, HEAD") },
  429: { "Retry-After": responseHeader("Seconds until a request is allowed again", "1") },
  503: {
    "Retry-After": responseHeader("Seconds to wait before retrying (the same Idempotency-Key for POST /checkout)", "2"),
  },
};

/**
 * What the HTTP layer answers on any route before the route runs: not valid HTTP (400), a method
 * the path does not take (405), a request not received in time (408), headers too large (431),
 * and a fault of ours (500).
 */
export const HTTP_PROBLEMS = [400, 405, 408, 431, 500] as const;

/**
 * Problem responses for these statuses and HTTP_PROBLEMS, each an application/problem+json
 * Problem: every status a route can answer is in the document.
 */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    [...new Set([...statuses, ...HTTP_PROBLEMS])]
      .sort((a, b) => a - b)
      .map((status) => [
        status,
        {
          description: descriptions[status] ?? "A problem",
          headers: { ...commonHeaders, ...extraHeaders[status] },
          content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
        },
      ]),
  );
}

/** The problems any authenticated route can answer, beside its own: it calls services on the caller's behalf. */
export const AUTHENTICATED_PROBLEMS = [401, 429, 499, 500, 503, 504] as const;

/** A JSON success response. */
export function jsonResponse<S extends z.ZodType>(
  schema: S,
  description: string,
  headers: Record<string, ReturnType<typeof responseHeader>> = {},
) {
  return {
    description,
    headers: { ...commonHeaders, ...headers },
    content: { "application/json": { schema } },
  };
}

/** Declares a required JSON request body validated by `schema`. */
export function jsonRequestBody<S extends z.ZodType>(schema: S, description: string) {
  return { required: true, description, content: { "application/json": { schema } } };
}
