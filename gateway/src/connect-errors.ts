import { type FieldPath, ViolationsSchema } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { errorDetail } from "@checkout-saga/shared";
import { Code, type ConnectError } from "@connectrpc/connect";
import type { RestPlace } from "./context.js";
import type { FieldError } from "./openapi/schemas.js";
import { type Problem, problem, problemSlug } from "./problems.js";
import { printable } from "./validation/rule-schemas.js";

/**
 * Reasons that mean "this request, well-formed as the document states it, can never succeed as
 * sent": 422, not a conflict (FAILED_PRECONDITION) nor a malformed request (INVALID_ARGUMENT by a
 * service's own check, which a schema-valid request may still break: a card without a token).
 */
const unprocessableReasons = new Set([
  "CART_LINE_LIMIT",
  "CART_EMPTY",
  "CANCEL_EXCEEDS_ORDER",
  "IDEMPOTENCY_KEY_REUSED",
  "ADJUSTMENT_KEY_REUSED",
  "INVALID_PAYMENT_METHOD",
  "PRODUCT_NOT_PRICED",
  "DUPLICATE_CURRENCY",
  "KONBINI_CURRENCY_UNSUPPORTED",
  "KONBINI_AMOUNT_OUT_OF_RANGE",
  "POINTS_CURRENCY_UNSUPPORTED",
  "POINTS_EXCEED_TOTAL",
]);

/**
 * The one mapping from a Connect code (plus its ErrorDetail reason) to an HTTP status.
 * Anything not listed is a fault of ours: 500.
 */
export function httpStatusFor(code: Code, reason?: string): number {
  switch (code) {
    case Code.InvalidArgument:
      return reason !== undefined && unprocessableReasons.has(reason) ? 422 : 400;
    case Code.NotFound:
      return 404;
    case Code.AlreadyExists:
      return 409;
    case Code.FailedPrecondition:
      return reason !== undefined && unprocessableReasons.has(reason) ? 422 : 409;
    // Our services abort with a reason (IDEMPOTENCY_KEY_IN_FLIGHT, …): a conflict. Without one
    // it is the transport's (connect-node turns ECONNRESET into Aborted: the service died
    // mid-call), and the call may or may not have happened: unavailable, retry.
    case Code.Aborted:
      return reason === undefined ? 503 : 409;
    case Code.ResourceExhausted:
      return 429;
    // The gateway authenticates users itself (401 before any call): a service refusing the
    // gateway's own credential or assertion is a misconfiguration of ours, not the client's.
    case Code.Unauthenticated:
      return 500;
    case Code.PermissionDenied:
      return 403;
    case Code.Unavailable:
      return 503;
    // The service reset the stream (it was stopping or killed): unavailable for a moment.
    case Code.Canceled:
      return 503;
    case Code.DeadlineExceeded:
      return 504;
    default:
      return 500;
  }
}

const fallbackSlugByStatus: Record<number, string> = {
  400: "invalid-argument",
  403: "permission-denied",
  404: "not-found",
  409: "conflict",
  422: "validation-error",
  429: "rate-limited",
  500: "internal-error",
  503: "service-unavailable",
  504: "upstream-timeout",
};

/** `lines[0].quantity` as the gateway's own errors write it: `lines.0.quantity`. */
function dottedPath(path: FieldPath | undefined): string {
  return (path?.elements ?? [])
    .flatMap((e) => [e.fieldName, ...(e.subscript.case === undefined ? [] : [String(e.subscript.value)])])
    .join(".");
}

/**
 * A service refused the request by its field rules. The gateway checks the same rules first, so
 * this means a rule it could not check (the user it took from the token):
 * the refusal is the gateway's validation-error all the same, each field named where the client
 * sent it when the route says so, with the rule it broke.
 */
function ruleViolationProblem(err: ConnectError, restPlaceOf?: (rpcPath: string) => RestPlace | undefined): Problem {
  const violations = err.findDetails(ViolationsSchema).flatMap((v) => v.violations);
  const errors: Array<FieldError & { rule: string }> = violations.map((v) => {
    const rpcPath = dottedPath(v.field);
    const place = restPlaceOf?.(rpcPath);
    const message = printable(v.message);
    // A field no REST input feeds is one the gateway fills itself: the user, from the bearer token.
    if (!place)
      return { path: "Authorization", in: "header" as const, message: `${rpcPath} ${message}`, rule: v.ruleId };
    return { path: place.path, in: place.in, message, rule: v.ruleId };
  });
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return problem("validation-error", 400, first ? `${first.path}: ${first.message}${more}` : "the request is invalid", {
    errors,
  });
}

/**
 * A downstream Connect error as a problem. Client errors (4xx) keep the service's message
 * and its machine context; server-side ones (5xx) say only what kind of failure it was, so
 * no internal message leaks — the cause goes to the log. `restPlaceOf` (the route's binding)
 * names RPC fields as the client sent them.
 */
export function problemFromConnectError(
  err: ConnectError,
  restPlaceOf?: (rpcPath: string) => RestPlace | undefined,
): Problem {
  if (err.code === Code.InvalidArgument && err.findDetails(ViolationsSchema).length > 0) {
    return ruleViolationProblem(err, restPlaceOf);
  }
  const detail = errorDetail(err);
  const reason = detail?.reason || undefined;
  const status = httpStatusFor(err.code, reason);
  if (status >= 500) {
    if (status === 503) return problem("service-unavailable", 503, "a service this request needs is unavailable");
    if (status === 504) return problem("upstream-timeout", 504, "a service this request needs did not answer in time");
    return problem("internal-error", 500, "internal error");
  }
  const slug = reason ? problemSlug(reason) : (fallbackSlugByStatus[status] ?? "error");
  const extra: Record<string, unknown> = {};
  if (reason) extra.code = reason;
  for (const [key, value] of Object.entries(detail?.metadata ?? {})) {
    // The checkouts holding cart lines: a list, as a failed checkout's problem gives it too.
    extra[key] = key === "held_by" ? value.split(",").filter((id) => id !== "") : value;
  }
  if (detail && detail.lines.length > 0) {
    extra.lines = detail.lines.map((l) => ({
      product_id: l.productId,
      requested: l.requested,
      available: l.available,
    }));
  }
  return problem(slug, status, err.rawMessage || (fallbackSlugByStatus[status] ?? "request failed"), extra);
}
