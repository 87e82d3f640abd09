import { once } from "node:events";
import { constants, createServer, type Http2Server, type ServerHttp2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceClient, createServiceTransport, isRetryable } from "../src/index.js";

/**
 * A server that refuses a stream (as a stopping server does with streams past its GOAWAY) never
 * processed the call: the client must see Unavailable, which the saga's steps and the circuit
 * breakers retry, not Internal, which a step takes for a failure and compensates.
 */
describe("a stream the server refused", () => {
  let server: Http2Server;
  let baseUrl: string;
  const sessions = new Set<ServerHttp2Session>();

  beforeAll(async () => {
    server = createServer();
    server.on("session", (session) => sessions.add(session));
    server.on("stream", (stream) => {
      stream.on("error", () => {}); // the server's side of the refusal: expected
      stream.close(constants.NGHTTP2_REFUSED_STREAM);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const session of sessions) session.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it("is Unavailable, so it is retried", async () => {
    const client = createServiceClient(ProductService, createServiceTransport(baseUrl));
    const err = await client.getProduct({ id: "p-1" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectError);
    expect([(err as ConnectError).code, (err as ConnectError).rawMessage]).toEqual([
      Code.Unavailable,
      "Stream closed with error code NGHTTP2_REFUSED_STREAM",
    ]);
    expect(isRetryable(err)).toBe(true);
  });
});
