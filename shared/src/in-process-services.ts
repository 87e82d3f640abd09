import { type ConnectRouter, createRouterTransport, type Interceptor, type Transport } from "@connectrpc/connect";
import {
  createServiceTransport,
  RPC_DEFAULT_TIMEOUT_MS,
  rpcClientInterceptors,
  type ServiceTransportFactory,
} from "./rpc-client.js";
import { RPC_READ_MAX_BYTES } from "./rpc-server.js";

/** A service as the in-process registry knows it: its handlers and its server interceptors. */
interface LocalService {
  routes: (router: ConnectRouter) => void;
  interceptors: Interceptor[];
}

/**
 * Embedded mode runs every service in one process. A service registered here is called
 * through Connect's router transport: the same handlers, server and client interceptors, binary
 * protobuf and error mapping as over the network, without the HTTP/2 loopback hop (sockets,
 * framing, header coding) — see docs/performance.md for what that saves per checkout. Every
 * service still listens on its port, for `buf curl`, probes and the other processes.
 */
export interface InProcessServices {
  /** Makes the service on this loopback port callable in process; the answer unregisters it (on stop). */
  register(port: number, service: LocalService): () => void;
  /**
   * A transport to `baseUrl`: in process while a service on that loopback port is registered,
   * over the network otherwise (not registered, or stopped: then the call meets a closed port,
   * as it would in production).
   */
  transport: ServiceTransportFactory;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export function createInProcessServices(): InProcessServices {
  const byPort = new Map<number, LocalService>();
  return {
    register(port, service) {
      byPort.set(port, service);
      return () => {
        if (byPort.get(port) === service) byPort.delete(port);
      };
    },
    transport(baseUrl, interceptors = []) {
      const url = new URL(baseUrl);
      const port = LOOPBACK.has(url.hostname) ? Number(url.port) : undefined;
      const network = createServiceTransport(baseUrl, interceptors);
      let local: { service: LocalService; transport: Transport } | undefined;
      // Looked up per call: whether the service runs here can change as services start and stop.
      const current = (): Transport => {
        const service = port === undefined ? undefined : byPort.get(port);
        if (!service) return network;
        if (local?.service !== service) {
          local = {
            service,
            // The same limits as over the network, so a call fails the same way in both modes.
            transport: createRouterTransport(service.routes, {
              transport: {
                interceptors: rpcClientInterceptors(interceptors),
                defaultTimeoutMs: RPC_DEFAULT_TIMEOUT_MS,
              },
              router: { interceptors: service.interceptors, readMaxBytes: RPC_READ_MAX_BYTES },
            }),
          };
        }
        return local.transport;
      };
      return {
        unary: (...args) => current().unary(...args),
        stream: (...args) => current().stream(...args),
      };
    },
  };
}
