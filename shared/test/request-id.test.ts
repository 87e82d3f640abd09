import { Writable } from "node:stream";
import { create } from "@bufbuild/protobuf";
import { ProductSchema, ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createLogger,
  createServiceClient,
  createServiceTransport,
  type RpcServer,
  requestContext,
  startRpcServer,
  withLogContext,
} from "../src/index.js";

/**
 * The request id crosses services: a call made inside a request context sends it as
 * `x-request-id`, the server runs the handler inside a context holding it (so its log lines
 * carry `request_id`), and the handler's own calls forward it again.
 */
describe("request id propagation over Connect", () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger("rpc-test", {
    format: "json",
    destination: new Writable({
      write(chunk, _encoding, done) {
        for (const l of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    }),
  });
  const seen: (string | undefined)[] = [];
  let server: RpcServer;

  beforeAll(async () => {
    // Filled in once the port is known: the handler calls its own server again.
    let self: ReturnType<typeof createServiceClient<typeof ProductService>> | undefined;
    server = await startRpcServer({
      port: 0,
      host: "127.0.0.1",
      logger,
      routes(router) {
        router.service(ProductService, {
          async getProduct(req) {
            logger.info({ productId: req.id }, "getting product");
            seen.push(requestContext().requestId);
            await self?.listProducts({});
            return { product: create(ProductSchema, { id: req.id }) };
          },
          async listProducts() {
            logger.info("listing products");
            seen.push(requestContext().requestId);
            return {};
          },
        });
      },
    });
    self = createServiceClient(ProductService, createServiceTransport(`http://127.0.0.1:${server.port}`));
  });

  afterAll(async () => {
    await server?.close();
  });

  it("reaches the handler, its log lines and the calls it makes", async () => {
    const client = createServiceClient(ProductService, createServiceTransport(`http://127.0.0.1:${server.port}`));
    await withLogContext({ requestId: "req-abc" }, () => client.getProduct({ id: "1" }));

    expect(seen).toEqual(["req-abc", "req-abc"]);
    const handlerLines = lines.filter((l) => l.msg === "getting product" || l.msg === "listing products");
    expect(handlerLines).toHaveLength(2);
    for (const l of handlerLines) expect(l).toMatchObject({ service: "rpc-test", request_id: "req-abc" });
  });

  it("leaves the context empty when the caller sent no request id", async () => {
    const client = createServiceClient(ProductService, createServiceTransport(`http://127.0.0.1:${server.port}`));
    seen.length = 0;
    await client.listProducts({});
    expect(seen).toEqual([undefined]);
  });
});
