import type { DescService } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { REQUEST_ID_HEADER, requestContext } from "./log-context.js";
import { rpcClientTracing } from "./rpc-tracing.js";

/**
 * The deadline of a call that sets none, so no call waits forever on a service that hangs.
 * Generous: calls with a real budget (the gateway's per-request deadline, the saga's steps)
 * set their own, and this only bounds the ones that forgot to.
 */
export const RPC_DEFAULT_TIMEOUT_MS = 30_000;

/**
 * A transport to one service: the Connect protocol, binary, over one shared HTTP/2 session.
 * Calls made while handling a request forward its `x-request-id` (unless the caller set one)
 * and, in a CLIENT span, the W3C trace context (`traceparent`).
 */
export function createServiceTransport(baseUrl: string, interceptors: Interceptor[] = []): Transport {
  return createConnectTransport({
    baseUrl,
    httpVersion: "2",
    useBinaryFormat: true,
    defaultTimeoutMs: RPC_DEFAULT_TIMEOUT_MS,
    // Innermost, so the caller's own interceptors (its circuit breaker) see the corrected code.
    interceptors: [...rpcClientInterceptors(interceptors), refusedStreamIsUnavailable],
  });
}

/**
 * A stream the server refused (RST_STREAM REFUSED_STREAM, e.g. opened as a stopping server sent
 * GOAWAY) was never processed, so it is safe to retry (RFC 9113 §8.7). connect-node maps that
 * reset code to Unavailable, but Node reports the stream's error first and it arrives as
 * Internal, which no retry or breaker would touch; this restores Unavailable.
 */
const refusedStreamIsUnavailable: Interceptor = (next) => async (req) => {
  try {
    return await next(req);
  } catch (err) {
    if (err instanceof ConnectError && err.code === Code.Internal && isRefusedStream(err.cause)) {
      throw new ConnectError(err.rawMessage, Code.Unavailable, err.metadata, undefined, err);
    }
    throw err;
  }
};

/** Whether Node's stream error for a refused stream is in `reason`'s cause chain. */
function isRefusedStream(reason: unknown): boolean {
  for (let depth = 0; reason instanceof Error && depth < 5; depth++, reason = reason.cause) {
    if (
      (reason as NodeJS.ErrnoException).code === "ERR_HTTP2_STREAM_ERROR" &&
      reason.message.includes("REFUSED_STREAM")
    )
      return true;
  }
  return false;
}

/** What every call a service makes passes through, over the network or in process: tracing, then request id, then the caller's own. */
export const rpcClientInterceptors = (interceptors: Interceptor[] = []): Interceptor[] => [
  rpcClientTracing,
  forwardRequestId,
  ...interceptors,
];

/** How a service reaches another by its base URL (with its own interceptors, e.g. a circuit breaker). */
export type ServiceTransportFactory = (baseUrl: string, interceptors?: Interceptor[]) => Transport;

const forwardRequestId: Interceptor = (next) => (req) => {
  const { requestId } = requestContext();
  if (requestId && !req.header.has(REQUEST_ID_HEADER)) req.header.set(REQUEST_ID_HEADER, requestId);
  return next(req);
};

export function createServiceClient<T extends DescService>(service: T, transport: Transport): Client<T> {
  return createClient(service, transport);
}
