import { ConnectError, type Interceptor } from "@connectrpc/connect";
import { context, propagation, type Span, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { tracer } from "./tracing.js";

const rpcTracer = tracer("@checkout-saga/shared/rpc");

/** Connect's headers as a propagation carrier. */
const headerGetter = {
  keys: (h: Headers) => [...h.keys()],
  get: (h: Headers, key: string) => h.get(key) ?? undefined,
};
const headerSetter = { set: (h: Headers, key: string, value: string) => h.set(key, value) };

/** Server faults (Unknown, Internal, DataLoss, or not a Connect error) mark the span failed; client mistakes do not. */
function recordOutcome(span: Span, err: unknown): void {
  const code = err instanceof ConnectError ? err.code : undefined;
  span.setAttribute("rpc.connect_rpc.error_code", code ?? -1);
  if (code === undefined || code === 2 || code === 13 || code === 15) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  }
}

function traced(kind: SpanKind): Interceptor {
  return (next) => (req) => {
    const parent =
      kind === SpanKind.SERVER ? propagation.extract(context.active(), req.header, headerGetter) : context.active();
    const attributes = {
      "rpc.system": "connect_rpc",
      "rpc.service": req.service.typeName,
      "rpc.method": req.method.name,
    };
    return rpcTracer.startActiveSpan(
      `${req.service.typeName}/${req.method.name}`,
      { kind, attributes },
      parent,
      async (span) => {
        if (kind === SpanKind.CLIENT) propagation.inject(context.active(), req.header, headerSetter);
        try {
          return await next(req);
        } catch (err) {
          recordOutcome(span, err);
          throw err;
        } finally {
          span.end();
        }
      },
    );
  };
}

/** Incoming calls: a SERVER span, a child of the caller's `traceparent` header. */
export const rpcServerTracing: Interceptor = traced(SpanKind.SERVER);

/** Outgoing calls: a CLIENT span whose context goes out as the `traceparent` header. */
export const rpcClientTracing: Interceptor = traced(SpanKind.CLIENT);
