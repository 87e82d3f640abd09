import http2 from "node:http2";
import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { domainErrorInterceptor } from "./errors.js";
import { listen } from "./listen.js";
import { inNewLogContext, REQUEST_ID_HEADER } from "./log-context.js";
import type { Logger } from "./logger.js";
import { type Registry, rpcMetricsInterceptor } from "./metrics.js";
import { registerReflection } from "./reflection.js";
import { requestValidation } from "./request-validation.js";
import { rpcServerTracing } from "./rpc-tracing.js";

/**
 * The largest message a service reads: 1 MiB. The largest legitimate ones are a page of 100
 * products or orders, or a checkout of 100 lines with its history: tens of kB. A bigger one is
 * refused with resource_exhausted before it is decoded, over the network and in process alike.
 */
export const RPC_READ_MAX_BYTES = 1024 * 1024;

export interface RpcServer {
  readonly port: number;
  /** Stops accepting, lets in-flight calls finish for up to graceMs, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

export interface RpcServerOptions {
  port: number;
  host?: string;
  /** Registers the service's handlers; every registered service is also offered by reflection. */
  routes: (router: ConnectRouter) => void;
  logger: Logger;
  interceptors?: Interceptor[];
  /** Where call latency and errors are recorded (by RPC service, method, code); not recorded without it. */
  metrics?: Registry;
}

/**
 * Serves Connect, gRPC and gRPC-Web on HTTP/2 cleartext, so `buf curl --http2-prior-knowledge`
 * works, with server reflection and the domain-error mapping every service needs.
 */
export async function startRpcServer(options: RpcServerOptions): Promise<RpcServer> {
  const { logger } = options;
  const services: DescService[] = [];
  const handler = connectNodeAdapter({
    readMaxBytes: RPC_READ_MAX_BYTES,
    interceptors: rpcServerInterceptors(options),
    routes(router) {
      options.routes(router);
      for (const h of router.handlers) if (!services.includes(h.service)) services.push(h.service);
      registerReflection(router, services);
    },
  });
  const server = http2.createServer(handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  const port = await listen(server, options.port, options.host);
  logger.info({ port }, "rpc server listening");
  return {
    port,
    async close(graceMs = 5_000) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sessions) s.close();
      const timer = setTimeout(() => {
        for (const s of sessions) s.destroy();
      }, graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** One for every service in the process: it compiles each message's rules once, on first use. */
const validator = requestValidation();

/**
 * What every call a service answers passes through, however it arrives (over HTTP/2, or in
 * process in embedded mode). Outermost first: failures are logged after domain errors became
 * Connect errors; the request's field rules are checked last, right before its handler, so
 * whatever a service adds (credentials) decides first whether a caller learns anything.
 */
export function rpcServerInterceptors(
  options: Pick<RpcServerOptions, "logger" | "metrics" | "interceptors">,
): Interceptor[] {
  return [
    rpcServerTracing,
    requestIdInterceptor,
    ...(options.metrics ? [rpcMetricsInterceptor(options.metrics)] : []),
    logFailures(options.logger),
    domainErrorInterceptor,
    ...(options.interceptors ?? []),
    validator,
  ];
}

/**
 * Runs the call inside a log context holding only the caller's `x-request-id`, so every line a
 * handler logs carries `request_id`, and the calls it makes to other services forward it.
 */
const requestIdInterceptor: Interceptor = (next) => (req) =>
  inNewLogContext({ requestId: req.header.get(REQUEST_ID_HEADER) ?? undefined }, () => next(req));

/** Server-side faults are logged with their cause; client mistakes are not noise. */
function logFailures(logger: Logger): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (err) {
      const code = (err as { code?: number }).code;
      // Internal (13), Unknown (2), DataLoss (15) or a non-Connect error are ours to fix.
      if (code === undefined || code === 2 || code === 13 || code === 15) {
        logger.error({ err, procedure: req.method.name, service: req.service.typeName }, "rpc failed");
      }
      throw err;
    }
  };
}
