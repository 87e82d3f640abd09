import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ConsumerObserver } from "./events/event-bus.js";

export { Counter, Gauge, Histogram, Registry } from "prom-client";

/** Every metric name starts with this, so the system's series are easy to find and never collide. */
export const METRIC_PREFIX = "checkout_saga_";

/** Latency buckets (seconds) for RPCs and HTTP requests: 1 ms to 30 s. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * One registry per service, never prom-client's global one: embedded mode runs every service in
 * one process, and each keeps its own registry (served on its own admin port). Every series
 * carries `service`, and the process's default metrics (CPU, memory, event-loop lag, GC) come
 * prefixed like the rest.
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

/** A Connect code as a label value: "ok", "not_found", "unavailable", … */
export function codeLabel(code: Code | undefined): string {
  if (code === undefined) return "ok";
  return (Code[code] ?? String(code)).replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
}

/**
 * Times every unary call a server answers and counts its failures, by RPC service, method and
 * code. Outermost in the server's stack, so it sees domain errors already mapped to their code.
 * Streaming calls (server reflection) are not timed: their duration is the client's session.
 */
export function rpcMetricsInterceptor(registry: Registry): Interceptor {
  // One interceptor (and series) per registry, however many ways the service is reached
  // (over the network, in process).
  let interceptor = rpcMetricsByRegistry.get(registry);
  if (!interceptor) {
    interceptor = newRpcMetricsInterceptor(registry);
    rpcMetricsByRegistry.set(registry, interceptor);
  }
  return interceptor;
}

const rpcMetricsByRegistry = new WeakMap<Registry, Interceptor>();

function newRpcMetricsInterceptor(registry: Registry): Interceptor {
  const labelNames = ["rpc_service", "rpc_method", "code"] as const;
  const duration = new Histogram({
    name: `${METRIC_PREFIX}rpc_server_duration_seconds`,
    help: "Time to answer an RPC, by RPC service, method and result code.",
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: `${METRIC_PREFIX}rpc_server_errors_total`,
    help: "RPCs answered with an error, by RPC service, method and code.",
    labelNames,
    registers: [registry],
  });
  return (next) => async (req) => {
    if (req.stream) return next(req);
    const labels = { rpc_service: req.service.typeName, rpc_method: req.method.name };
    const end = duration.startTimer(labels);
    try {
      const res = await next(req);
      end({ code: "ok" });
      return res;
    } catch (err) {
      const code = codeLabel(ConnectError.from(err).code);
      end({ code });
      errors.inc({ ...labels, code });
      throw err;
    }
  };
}

/**
 * Counts what a service's event consumers do, by group, topic and outcome ("ok", "failed": an
 * attempt that will be retried, "dead_lettered"), plus dead letters on their own counter for
 * alerting. Hand it to `subscribe` as the observer.
 */
export function consumerMetrics(registry: Registry): ConsumerObserver {
  const delivered = new Counter({
    name: `${METRIC_PREFIX}events_consumed_total`,
    help: "Deliveries of events to a consumer group, by outcome (ok, failed and to be retried, dead_lettered).",
    labelNames: ["group", "topic", "outcome"] as const,
    registers: [registry],
  });
  const deadLettered = new Counter({
    name: `${METRIC_PREFIX}events_dead_lettered_total`,
    help: "Events a consumer group parked as dead letters (kept failing, or undecodable).",
    labelNames: ["group", "topic"] as const,
    registers: [registry],
  });
  const lag = new Gauge({
    name: `${METRIC_PREFIX}consumer_lag_messages`,
    help: "Messages on the topic the consumer group has not committed yet (sampled every 5 s; Kafka only).",
    labelNames: ["group", "topic"] as const,
    registers: [registry],
  });
  return {
    delivered({ topic, group, outcome }) {
      delivered.inc({ group, topic, outcome });
      if (outcome === "dead_lettered") deadLettered.inc({ group, topic });
    },
    lag({ topic, group, messages }) {
      lag.set({ group, topic }, messages);
    },
  };
}
