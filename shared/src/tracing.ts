import {
  type Attributes,
  type Context,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { ConfigError, envReader } from "./config.js";
import type { EventHandler } from "./events/event-bus.js";
import type { EventEnvelope } from "./gen/checkoutsaga/events/v1/events_pb.js";

/** Where finished spans go: nowhere (the default), stdout, or an exporter of the caller's (tests). */
export type TracesExporter = "none" | "console" | SpanExporter;

/** OTEL_TRACES_EXPORTER: `none` (default) or `console`. */
export function tracesExporterFromEnv(env: Record<string, string | undefined>): "none" | "console" {
  const value = envReader(env).string("OTEL_TRACES_EXPORTER", "none");
  if (value === "none" || value === "console") return value;
  throw new ConfigError(`OTEL_TRACES_EXPORTER must be "none" or "console", got "${value}"`);
}

/** What `startTracing` started; `stop` flushes and unregisters it. */
export interface Tracing {
  stop(): Promise<void>;
}

/**
 * Registers the process-wide tracer provider (AsyncLocalStorage context, W3C trace context
 * propagation) exporting to `exporter`. With `none` nothing is registered: every span the code
 * starts through @opentelemetry/api is then a no-op and no context is propagated.
 */
export function startTracing(options: { serviceName: string; exporter: TracesExporter }): Tracing {
  if (options.exporter === "none") return { stop: async () => {} };
  const exporter = options.exporter === "console" ? new ConsoleSpanExporter() : options.exporter;
  // Simple (export on end): the console exporter is for development, a caller's exporter for tests.
  const provider = new BasicTracerProvider({
    spanProcessors: [serviceNameProcessor(options.serviceName), new SimpleSpanProcessor(exporter)],
  });
  // Registering twice would leave the second provider unused and let its stop disable the first.
  if (!trace.setGlobalTracerProvider(provider)) throw new Error("tracing is already started in this process");
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    async stop() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/**
 * Names the service on every span (`service.name`). A resource would be the standard place; it
 * needs @opentelemetry/resources, which this package does not depend on.
 */
function serviceNameProcessor(serviceName: string): SpanProcessor {
  return {
    onStart: (span) => void span.setAttribute("service.name", serviceName),
    onEnd: () => {},
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

/** The tracer of one part of the system (instrumentation scope). */
export function tracer(name: string): Tracer {
  return trace.getTracer(name);
}

/**
 * Runs `fn` inside a new span (a child of the active one unless `parent` says otherwise),
 * records a thrown error on it, and ends it when `fn` settles.
 */
export async function inSpan<T>(
  name: string,
  options: { tracer: Tracer; kind?: SpanKind; parent?: Context; links?: Link[]; attributes?: Attributes },
  fn: (span: Span) => Promise<T> | T,
): Promise<T> {
  const parent = options.parent ?? context.active();
  return options.tracer.startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, links: options.links, attributes: options.attributes },
    parent,
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        recordFailure(span, err);
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** Marks the span failed with the error. */
export function recordFailure(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** The W3C trace context of the active span (`traceparent`, maybe `tracestate`); empty without one. */
export function currentTraceContext(): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return { traceparent: carrier.traceparent, tracestate: carrier.tracestate };
}

/** The context a W3C `traceparent`/`tracestate` pair describes (the root context when absent). */
export function traceContextFrom(carrier: { traceparent?: string; tracestate?: string }): Context {
  const headers: Record<string, string> = {};
  if (carrier.traceparent) headers.traceparent = carrier.traceparent;
  if (carrier.tracestate) headers.tracestate = carrier.tracestate;
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** The span context a `traceparent` names, for a link; undefined when absent or invalid. */
export function spanContextFrom(carrier: { traceparent?: string; tracestate?: string }): SpanContext | undefined {
  return trace.getSpanContext(traceContextFrom(carrier));
}

/** The active span's trace id, for log lines; undefined outside a (recording or remote) span. */
export function activeTraceId(): string | undefined {
  const span = trace.getSpan(context.active());
  const ctx = span?.spanContext();
  return ctx && trace.isSpanContextValid(ctx) ? ctx.traceId : undefined;
}

/**
 * Wraps an event handler so each delivery runs in a CONSUMER span, a child of the context the
 * envelope carries (the transaction that wrote the event), whichever bus delivered it.
 */
export function tracedEventHandler(name: string, handler: EventHandler): EventHandler {
  const consumerTracer = tracer(name);
  return (event: EventEnvelope) =>
    inSpan(
      `${event.type || "event"} process`,
      {
        tracer: consumerTracer,
        kind: SpanKind.CONSUMER,
        parent: traceContextFrom(event),
        attributes: { "messaging.message.id": event.eventId, "messaging.consumer.group.name": name },
      },
      () => handler(event),
    );
}

export { SpanKind, SpanStatusCode };
