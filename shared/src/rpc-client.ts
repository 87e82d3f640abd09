import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";

/** A transport to one service: the Connect protocol, binary, over one shared HTTP/2 session. */
export function createServiceTransport(baseUrl: string, interceptors: Interceptor[] = []): Transport {
  return createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat: true, interceptors });
}

export function createServiceClient<T extends DescService>(service: T, transport: Transport): Client<T> {
  return createClient(service, transport);
}
