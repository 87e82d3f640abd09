import { AsyncLocalStorage } from "node:async_hooks";
import { activeTraceId } from "./tracing.js";

/** What is known about the work in progress; every log line written during it carries these. */
export interface LogContext {
  requestId?: string;
  userId?: string;
  checkoutId?: string;
  /** An order cancellation being driven (orders-service's cancellation saga). */
  cancellationId?: string;
}

/** Header that carries the request id from the gateway through every service. */
export const REQUEST_ID_HEADER = "x-request-id";

const storage = new AsyncLocalStorage<LogContext>();

/** The context of the request (or checkout) being handled; empty outside one. */
export function requestContext(): LogContext {
  return storage.getStore() ?? {};
}

/**
 * Runs `fn` with `fields` added to the current context, for it and everything it awaits, so
 * log lines and outgoing calls made inside it carry them without being passed along.
 */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== ""));
  return storage.run({ ...storage.getStore(), ...defined }, fn);
}

/**
 * Runs `fn` in a context holding only `fields`: a call's handler starts from what the call
 * carried, whether it came over the network or in process (where it would otherwise inherit
 * the caller's context).
 */
export function inNewLogContext<T>(fields: LogContext, fn: () => T): T {
  return storage.run({}, () => withLogContext(fields, fn));
}

/**
 * The context as log fields (snake_case, like the rest of the log line), plus the active span's
 * `trace_id` when tracing is on; what is unknown is left out.
 */
export function logContextFields(): Record<string, string> {
  const { requestId, userId, checkoutId, cancellationId } = requestContext();
  const fields: Record<string, string> = {};
  if (requestId) fields.request_id = requestId;
  if (userId) fields.user_id = userId;
  if (checkoutId) fields.checkout_id = checkoutId;
  if (cancellationId) fields.cancellation_id = cancellationId;
  const traceId = activeTraceId();
  if (traceId) fields.trace_id = traceId;
  return fields;
}
