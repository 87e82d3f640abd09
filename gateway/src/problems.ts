/**
 * RFC 9457 problem details: every error the gateway returns is one of these, served as
 * `application/problem+json`. The `type` URIs are stable; clients branch on them (or on
 * `code`, the UPPER_SNAKE reason they derive from).
 *
 * | type (after PROBLEM_BASE)   | status | when |
 * | --------------------------- | ------ | ---- |
 * | invalid-json                | 400 | the body is not JSON |
 * | validation-error            | 400 | a parameter, header or member is missing, unknown, of the wrong type or breaks its field rule (`errors`: [{path, in, message, rule?}]; `rule` when a service refused it) |
 * | idempotency-key-missing     | 400 | POST /checkout or POST /orders/{id}/cancel without `Idempotency-Key` |
 * | invalid-idempotency-key     | 400 | the key is not 1..255 printable ASCII characters without a comma |
 * | bad-request                 | 4xx | a request the HTTP layer itself refused |
 * | invalid-page-token          | 400 | a page token the service did not issue |
 * | invalid-argument            | 400 | a service refused an argument by a check of its own |
 * | unknown-currency            | 400 | a currency code outside ISO 4217 (`currency`) |
 * | invalid-token               | 401 | missing, malformed, expired or wrongly signed bearer token (`WWW-Authenticate`) |
 * | payment-declined            | 402 | the card was declined (`checkout_id`, `decline_code`) |
 * | permission-denied           | 403 | a service refused the caller |
 * | admin-role-required         | 403 | an /admin route (or admin RPC) without the `admin` role in the token's `roles` |
 * | not-found                   | 404 | no such route |
 * | method-not-allowed          | 405 | the path takes other methods (`Allow` lists them) |
 * | product-not-found, cart-line-not-found, checkout-not-found, order-not-found | 404 | no such resource (or not the caller's) |
 * | out-of-stock                | 409 | not enough stock (`lines`: product_id, requested, available; `checkout_id` at checkout) |
 * | reservation-lost            | 409 | stock vanished after payment; the charge was refunded (`checkout_id`) |
 * | idempotency-key-in-flight   | 409 | the first request with this key is still running |
 * | cart-line-quantity-limit    | 409 | adding would take the cart line past 99 units |
 * | cart-conflict               | 409 | the cart kept changing under concurrent writes; try again |
 * | order-not-shippable         | 409 | ship an order that is not CONFIRMED (`order_id`, `order_status`) |
 * | order-not-deliverable       | 409 | deliver an order that is not SHIPPED (`order_id`, `order_status`) |
 * | product-not-sellable        | 409 | add to a cart, or check out, a product an admin took off sale (`product_id`) |
 * | stock-below-reserved        | 409 | an admin stock adjustment would leave fewer units on hand than checkouts hold (`product_id`, `reserved`, `lines`: the most that may be taken off as `available`) |
 * | order-not-cancellable       | 409 | cancel an order that is not CONFIRMED, or has nothing left to cancel (`order_id`, `order_status`) |
 * | conflict                    | 409 | another conflicting write (a service's FAILED_PRECONDITION / ABORTED without a known reason) |
 * | request-timeout             | 408 | the request line, headers or body did not arrive in time (Node's HTTP server) |
 * | payload-too-large           | 413 | the body exceeds GATEWAY_MAX_BODY_BYTES (`max_bytes`) |
 * | unsupported-media-type      | 415 | a body that is not `application/json` |
 * | cart-empty                  | 422 | checkout of an empty cart |
 * | cart-line-limit             | 422 | the cart already holds the maximum number of lines |
 * | idempotency-key-reused      | 422 | the key was used before with a different request |
 * | adjustment-key-reused       | 422 | a stock adjustment's Idempotency-Key was used before with another adjustment (`product_id`) |
 * | cancel-exceeds-order        | 422 | a cancellation asks more units of a product than the order has left (`lines`: product_id, requested, available) |
 * | invalid-payment-method      | 422 | the payment method's members do not fit together: a card without a token or with a store, konbini with a token |
 * | duplicate-currency          | 422 | an admin gave a product two prices in one currency (`currency`) |
 * | product-not-priced          | 422 | a product has no price in the cart's currency (`product_id`, `product_ids`, `currency`) |
 * | konbini-currency-unsupported | 422 | konbini takes JPY only (`currency`, `accepted`) |
 * | konbini-amount-out-of-range  | 422 | konbini takes totals of ¥120..¥300,000 (`amount_minor`, `min_amount_minor`, `max_amount_minor`); with points, the rest left to pay |
 * | points-currency-unsupported | 422 | points pay for JPY carts only (`currency`, `accepted`) |
 * | points-exceed-total         | 422 | more points than the checkout's total (`requested`, `total_minor`) |
 * | points-insufficient         | 422 | more points than the user's balance; the checkout FAILED, nothing reserved (`checkout_id`, `requested`, `balance`) |
 * | rate-limited                | 429 | too many requests (`Retry-After`) |
 * | header-fields-too-large     | 431 | the request line and headers exceed 16 KiB (Node's HTTP server) |
 * | client-closed-request       | 499 | the client went away before the answer (nobody reads it) |
 * | internal-error              | 500 | a fault of ours; details only in the logs (`request_id`) |
 * | step-failed                 | 503 | a service was briefly unavailable, nothing charged; retry with the same key after `Retry-After` (`checkout_id`) |
 * | inventory-service-unavailable | 503 | a new product's stock could not be set; nothing was added to the catalog |
 * | service-unavailable         | 503 | a downstream service is unreachable, or readiness failed (`unavailable`) |
 * | upstream-timeout            | 504 | a downstream service did not answer in time |
 *
 * A service reason not listed maps to `PROBLEM_BASE + kebab(reason)` with the status its
 * Connect code implies (see connect-errors.ts).
 */
export const PROBLEM_BASE = "https://checkout-saga.dev/problems/";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** An RFC 9457 problem; extra members are machine-readable context in snake_case. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  request_id?: string;
  [member: string]: unknown;
}

const titles: Record<string, string> = {
  "invalid-json": "Malformed JSON",
  "validation-error": "Invalid request",
  "idempotency-key-missing": "Idempotency-Key header required",
  "invalid-idempotency-key": "Invalid Idempotency-Key",
  "invalid-token": "Authentication required",
  "payment-declined": "Payment declined",
  "not-found": "Not found",
  "method-not-allowed": "Method not allowed",
  "out-of-stock": "Out of stock",
  "reservation-lost": "Reserved stock was lost",
  "idempotency-key-in-flight": "Request with this key in progress",
  "idempotency-key-reused": "Idempotency-Key reused with a different request",
  "adjustment-key-reused": "Idempotency-Key reused with another stock adjustment",
  "request-timeout": "Request timeout",
  "payload-too-large": "Request body too large",
  "unsupported-media-type": "Unsupported media type",
  "cart-empty": "Cart is empty",
  "admin-role-required": "Admin role required",
  "order-not-shippable": "Order cannot be shipped",
  "order-not-deliverable": "Order cannot be delivered",
  "product-not-sellable": "Product not for sale",
  "stock-below-reserved": "Stock cannot go below what is reserved",
  "duplicate-currency": "Two prices in one currency",
  "order-not-cancellable": "Order cannot be cancelled",
  "cancel-exceeds-order": "More units than the order has left",
  "cart-line-limit": "Too many cart lines",
  "points-currency-unsupported": "Points pay for JPY only",
  "points-exceed-total": "More points than the total",
  "points-insufficient": "Not enough points",
  "rate-limited": "Too many requests",
  "header-fields-too-large": "Request headers too large",
  "client-closed-request": "Client closed the request",
  "internal-error": "Internal error",
  "step-failed": "Checkout step failed",
  "service-unavailable": "Service unavailable",
  "upstream-timeout": "Upstream timeout",
};

const statusTitles: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not found",
  405: "Method not allowed",
  409: "Conflict",
  422: "Unprocessable content",
  429: "Too many requests",
  500: "Internal error",
  503: "Service unavailable",
  504: "Upstream timeout",
};

/** "OUT_OF_STOCK" → "out-of-stock". */
export function problemSlug(reason: string): string {
  return reason
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** Builds a problem of the given slug; `extra` adds machine fields and never overrides the standard ones. */
export function problem(slug: string, status: number, detail: string, extra: Record<string, unknown> = {}): Problem {
  return {
    ...extra,
    type: `${PROBLEM_BASE}${slug}`,
    title: titles[slug] ?? statusTitles[status] ?? "Error",
    status,
    detail,
  };
}

/**
 * Thrown anywhere in request handling; the edge's error handler turns it into the response.
 * `headers` carries what the status needs (WWW-Authenticate, Retry-After).
 */
export class ProblemError extends Error {
  override readonly name = "ProblemError";
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
    options?: { cause?: unknown },
  ) {
    super(problem.detail, options);
  }
}
