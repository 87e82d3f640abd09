import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { type AdminServer, startAdminServer } from "./admin-server.js";
import type { InProcessServices } from "./in-process-services.js";
import { type Running, stopInOrder } from "./lifecycle.js";
import type { Logger } from "./logger.js";
import { createMetricsRegistry, type Registry } from "./metrics.js";
import type { ReadinessCheck } from "./readiness.js";
import { createServiceTransport, type ServiceTransportFactory } from "./rpc-client.js";
import { type RpcServer, rpcServerInterceptors, startRpcServer } from "./rpc-server.js";
import type { CallPolicy } from "./trust/call-policy.js";
import type { RpcCredentialSettings } from "./trust/rpc-credential-settings.js";
import { loadRpcTrust } from "./trust/rpc-trust.js";

/** What a service's composition registers as it builds itself; see `startService`. */
export interface ServiceScope {
  readonly logger: Logger;
  /** The service's own metrics registry, served on its admin port's /metrics. */
  readonly metrics: Registry;
  /** Something the service owns and closes last (a pool, a store, a cache); returns `value`. */
  resource<T>(value: T, close: (value: T) => unknown): T;
  /** Work already running (a consumer, a relay): stopped after the servers, before the resources. */
  background(stop: () => unknown): void;
  /** A periodic task (sweeper, recovery, gauges): started once the servers listen, stopped with the background work. */
  periodic(start: () => Running): void;
  /**
   * How this service reaches another: in process when both run in one (embedded mode), else over
   * the network; either way with this service's credential when it has a key.
   */
  transport: ServiceTransportFactory;
}

/** What a composition hands back: the RPC handlers and what readiness looks at. */
export interface ServiceParts {
  routes: (router: ConnectRouter) => void;
  /** Who may call each of its methods, and for which user (declared beside the handlers, in src/rpc): one per RPC service it serves. */
  callPolicy: CallPolicy | readonly CallPolicy[];
  /** The service's dependencies by name (GET /health/ready). */
  checks: Record<string, ReadinessCheck>;
  /** Run inside the standard ones (tracing, request id, metrics, logging, domain errors, the call policy). */
  interceptors?: Interceptor[];
}

export interface ServiceDefinition {
  /** The service's name, e.g. `inventory-service`: every metric series carries it. */
  name: string;
  logger: Logger;
  port: number;
  /** Where /health and /metrics answer; undefined: not served (a config built by hand in a test). */
  adminPort?: number;
  host?: string;
  /** Its service credentials: the key it signs its calls with, what the calls it answers are checked against. */
  credentials: RpcCredentialSettings;
  /** Embedded mode: services in this process call each other here, and this one registers itself. */
  inProcess?: InProcessServices;
  /** Runs first, before the composition opens anything: the schema its stores expect. */
  migrate?: () => Promise<void>;
  /** Opens the stores and clients (through `scope`), builds the domain, returns the routes. */
  compose(scope: ServiceScope): ServiceParts | Promise<ServiceParts>;
}

export interface StartedService extends Running {
  readonly port: number;
  /** Where /health and /metrics answer; undefined when the definition has no admin port. */
  readonly adminPort?: number;
}

/**
 * The one way an RPC service starts and stops. Start: its keys → migrations → the composition (stores,
 * clients, domain, background work) → the RPC server (and, in embedded mode, the in-process
 * registration) → the admin server (health, readiness, metrics) → periodic tasks. Stop, whatever
 * got started: the admin server (probes see the instance go), the in-process registration, the
 * RPC server (in-flight calls finish), periodic tasks and background work
 * (newest first: consumers commit, loops finish their run), then the resources (newest first).
 * A failed start stops what it had started, in that same order, and rethrows.
 */
export async function startService(definition: ServiceDefinition): Promise<StartedService> {
  const { logger } = definition;
  const metrics = createMetricsRegistry(definition.name);
  const resources: Array<() => unknown> = [];
  const work: Array<() => unknown> = [];
  let rpc: RpcServer | undefined;
  let admin: AdminServer | undefined;
  let unregister: (() => void) | undefined;
  const periodic: Array<() => Running> = [];
  const stop = () =>
    stopInOrder([
      () => admin?.close(),
      () => unregister?.(),
      () => rpc?.close(),
      ...[...work].reverse(),
      ...[...resources].reverse(),
    ]);

  try {
    const trust = await loadRpcTrust(definition.name, definition.credentials);
    const transport = definition.inProcess?.transport ?? createServiceTransport;
    await definition.migrate?.();
    const scope: ServiceScope = {
      logger,
      metrics,
      resource(value, close) {
        resources.push(() => close(value));
        return value;
      },
      background(stopWork) {
        work.push(stopWork);
      },
      periodic(start) {
        periodic.push(start);
      },
      transport: (baseUrl, interceptors = []) => transport(baseUrl, [...trust.clientInterceptors, ...interceptors]),
    };
    const parts = await definition.compose(scope);
    const interceptors = [trust.serverInterceptor(parts.callPolicy), ...(parts.interceptors ?? [])];
    rpc = await startRpcServer({
      port: definition.port,
      host: definition.host,
      routes: parts.routes,
      logger,
      metrics,
      interceptors,
    });
    unregister = definition.inProcess?.register(rpc.port, {
      routes: parts.routes,
      interceptors: rpcServerInterceptors({ logger, metrics, interceptors }),
    });
    if (definition.adminPort !== undefined) {
      admin = await startAdminServer({
        port: definition.adminPort,
        host: definition.host,
        logger,
        registry: metrics,
        checks: parts.checks,
      });
    }
    for (const start of periodic) {
      const task = start();
      work.push(() => task.stop());
    }
  } catch (err) {
    await stop().catch((stopErr: unknown) => logger.error({ err: stopErr }, "stopping after a failed start failed"));
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    port: rpc.port,
    adminPort: admin?.port,
    /** Idempotent: a second call waits for the first. */
    stop: () => {
      stopped ??= stop();
      return stopped;
    },
  };
}
