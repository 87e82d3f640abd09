import { create } from "@bufbuild/protobuf";
import { ProductSchema, ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../src/dev/index.js";
import {
  createInProcessServices,
  createServiceClient,
  createServiceTransport,
  defineCallPolicy,
  errorDetail,
  notFound,
  type Registry,
  RPC_DEFAULT_TIMEOUT_MS,
  RPC_READ_MAX_BYTES,
  requestContext,
  type StartedService,
  startService,
  withLogContext,
} from "../src/index.js";
import { CREDENTIALS_OFF, testLogger } from "../src/testing/index.js";

/**
 * Embedded mode's in-process calls must be indistinguishable from network calls to the code on
 * either side: same answers, same errors with details, same request context, same metrics.
 */
describe("in-process services", () => {
  const inProcess = createInProcessServices();
  const seen: { requestId?: string; checkoutId?: string }[] = [];
  /** The deadline each call arrived with, as the handler sees it. */
  const deadlinesMs: Array<number | undefined> = [];
  let registry: Registry | undefined;
  let service: StartedService;
  let url: string;

  beforeAll(async () => {
    service = await startService({
      name: "product-service",
      logger: testLogger(),
      port: 0,
      host: "127.0.0.1",
      credentials: CREDENTIALS_OFF,
      inProcess,
      compose(scope) {
        registry = scope.metrics;
        return {
          routes(router) {
            router.service(ProductService, {
              async getProduct(req, ctx) {
                seen.push({ ...requestContext() });
                deadlinesMs.push(ctx.timeoutMs());
                if (req.id === "missing") {
                  throw notFound("PRODUCT_NOT_FOUND", "no such product", { metadata: { product_id: req.id } });
                }
                return { product: create(ProductSchema, { id: req.id, name: "Laptop" }) };
              },
            });
          },
          callPolicy: defineCallPolicy(ProductService, {
            getProduct: { developer: "service" },
            getProducts: {},
            listProducts: {},
            validateProducts: {},
            createProduct: {},
            updateProduct: {},
          }),
          checks: {},
        };
      },
    });
    url = `http://127.0.0.1:${service.port}`;
  });

  afterAll(async () => {
    await service?.stop();
  });

  const inProcessClient = () => createServiceClient(ProductService, inProcess.transport(url));
  const networkClient = () => createServiceClient(ProductService, createServiceTransport(url));

  const failureOf = async (call: Promise<unknown>) => {
    const err = ConnectError.from(
      await call.then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    return { code: err.code, message: err.rawMessage, detail: errorDetail(err) };
  };

  it("answers as over the network, errors and their details included", async () => {
    const [local, remote] = [inProcessClient(), networkClient()];
    expect((await local.getProduct({ id: "1" })).product).toEqual((await remote.getProduct({ id: "1" })).product);
    const localFailure = await failureOf(local.getProduct({ id: "missing" }));
    expect(localFailure).toEqual(await failureOf(remote.getProduct({ id: "missing" })));
    expect(localFailure).toMatchObject({ code: Code.NotFound, detail: { reason: "PRODUCT_NOT_FOUND" } });
  });

  it("hands the handler only what the call carries: the request id, not the caller's context", async () => {
    seen.length = 0;
    await withLogContext({ requestId: "req-1", checkoutId: "c-1" }, () => inProcessClient().getProduct({ id: "1" }));
    expect(seen).toEqual([{ requestId: "req-1" }]);
  });

  it("counts in-process calls in the service's RPC metrics", async () => {
    const count = async () => {
      const metric = await registry?.getSingleMetric("checkout_saga_rpc_server_duration_seconds")?.get();
      return (metric?.values ?? [])
        .filter(
          (v) => (v as { metricName?: string }).metricName?.endsWith("_count") && v.labels.rpc_method === "GetProduct",
        )
        .reduce((sum, v) => sum + v.value, 0);
    };
    const before = await count();
    await inProcessClient().getProduct({ id: "1" });
    expect((await count()) - before).toBe(1);
  });

  it("refuses a message over the read limit with resource_exhausted, in process as over the network", async () => {
    const oversized = { id: "x".repeat(RPC_READ_MAX_BYTES + 1) };
    const localFailure = await failureOf(inProcessClient().getProduct(oversized));
    expect(localFailure.code).toBe(Code.ResourceExhausted);
    expect((await failureOf(networkClient().getProduct(oversized))).code).toBe(Code.ResourceExhausted);
    // A large message under the limit is read, and then answered by the request's field rules
    // (an id is at most 64 characters), the same way in process as over the network.
    const large = { id: "x".repeat(RPC_READ_MAX_BYTES / 2) };
    for (const client of [inProcessClient(), networkClient()]) {
      const refusal = await failureOf(client.getProduct(large));
      expect([refusal.code, refusal.detail?.metadata]).toEqual([
        Code.InvalidArgument,
        { field: "id", rule: "string.resource_id" },
      ]);
    }
  });

  it("gives a call that sets no deadline the default one, in process as over the network", async () => {
    deadlinesMs.length = 0;
    await inProcessClient().getProduct({ id: "1" });
    await networkClient().getProduct({ id: "1" });
    expect(deadlinesMs).toHaveLength(2);
    for (const remaining of deadlinesMs) {
      expect(remaining).toBeGreaterThan(RPC_DEFAULT_TIMEOUT_MS - 5_000);
      expect(remaining).toBeLessThanOrEqual(RPC_DEFAULT_TIMEOUT_MS);
    }
    // A call's own deadline wins.
    deadlinesMs.length = 0;
    await inProcessClient().getProduct({ id: "1" }, { timeoutMs: 1_000 });
    expect(deadlinesMs[0]).toBeLessThanOrEqual(1_000);
  });

  it("calls a registered service without its port, and the network once it is gone", async () => {
    const port = await freePort();
    const unregister = inProcess.register(port, {
      routes: (router) =>
        router.service(ProductService, { getProduct: (req) => ({ product: create(ProductSchema, { id: req.id }) }) }),
      interceptors: [],
    });
    const client = createServiceClient(ProductService, inProcess.transport(`http://localhost:${port}`));
    // Nothing listens on the port: only an in-process call can answer.
    expect((await client.getProduct({ id: "7" })).product?.id).toBe("7");
    unregister();
    expect((await failureOf(client.getProduct({ id: "7" }))).code).toBe(Code.Unavailable);
  });
});
