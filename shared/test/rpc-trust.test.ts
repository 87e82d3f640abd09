import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { ProductSchema, ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createInProcessServices,
  createServiceClient,
  createServiceTransport,
  defineCallPolicy,
  ensureRpcKeys,
  errorDetail,
  loadRpcTrust,
  type RpcCredentialSettings,
  rpcCaller,
  type StartedService,
  startService,
} from "../src/index.js";
import { testLogger } from "../src/testing/index.js";

/**
 * The trust interceptors on a real service, over the network and in process: a call needs a
 * valid service credential, the call policy decides, and the handler learns who called from its
 * context. (Every service's own policy is tested against the running system in
 * scripts/test/rpc-trust.test.ts.)
 */
const IDENTITIES = ["product-service", "checkout-service", "gateway", "developer"];
let dir: string;
let files: Awaited<ReturnType<typeof ensureRpcKeys>>;
const inProcess = createInProcessServices();
const started: StartedService[] = [];

/** The product service, answering with who called (`<identity>/<user>`) as the product's name. */
async function startProducts(credentials: RpcCredentialSettings): Promise<string> {
  const service = await startService({
    name: "product-service",
    logger: testLogger(),
    port: 0,
    host: "127.0.0.1",
    credentials,
    inProcess,
    compose: () => ({
      routes(router) {
        router.service(ProductService, {
          getProduct(req, ctx) {
            const caller = rpcCaller(ctx);
            return { product: create(ProductSchema, { id: req.id, name: `${caller.identity}/${caller.userId}` }) };
          },
        });
      },
      callPolicy: defineCallPolicy(ProductService, {
        getProduct: { "checkout-service": "service", developer: "service" },
        getProducts: {},
        listProducts: {},
        validateProducts: {},
        createProduct: {},
        updateProduct: {},
      }),
      checks: {},
    }),
  });
  started.push(service);
  return `http://127.0.0.1:${service.port}`;
}

const settingsOf = (identity: string, required = true): RpcCredentialSettings => ({
  required,
  signingKeyFile: files.signingKey(identity),
  trustBundleFile: files.trustBundle,
});

/** A client that signs as `identity`, over `how`. */
async function clientAs(identity: string, url: string, how: "network" | "in process") {
  const trust = await loadRpcTrust(identity, settingsOf(identity));
  const transport: Transport =
    how === "network"
      ? createServiceTransport(url, trust.clientInterceptors)
      : inProcess.transport(url, trust.clientInterceptors);
  return createServiceClient(ProductService, transport);
}

async function answer(call: Promise<{ product?: { name: string } }>): Promise<string> {
  try {
    return (await call).product?.name ?? "";
  } catch (err) {
    const e = ConnectError.from(err);
    return `${Code[e.code]} ${errorDetail(e)?.reason}`;
  }
}

let strictUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "rpc-trust-"));
  files = await ensureRpcKeys(dir, IDENTITIES);
  strictUrl = await startProducts(settingsOf("product-service"));
});

afterAll(async () => {
  for (const s of started) await s.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a service with credentials on", () => {
  it.each(["network", "in process"] as const)("answers a caller its policy lists, %s", async (how) => {
    const client = await clientAs("checkout-service", strictUrl, how);
    expect(await answer(client.getProduct({ id: "1" }))).toBe("checkout-service/");
  });

  it.each(["network", "in process"] as const)("refuses a call without a credential, %s", async (how) => {
    const transport = how === "network" ? createServiceTransport(strictUrl) : inProcess.transport(strictUrl);
    const client = createServiceClient(ProductService, transport);
    expect(await answer(client.getProduct({ id: "1" }))).toBe("Unauthenticated SERVICE_CREDENTIAL_MISSING");
  });

  it("refuses a caller its policy does not list, with a valid credential", async () => {
    const client = await clientAs("gateway", strictUrl, "network");
    expect(await answer(client.getProduct({ id: "1" }))).toBe("PermissionDenied CALLER_NOT_ALLOWED");
  });

  it("refuses what is not a bearer credential", async () => {
    const client = createServiceClient(ProductService, createServiceTransport(strictUrl));
    const headers = { authorization: "Basic dXNlcjpwYXNz" };
    expect(await answer(client.getProduct({ id: "1" }, { headers }))).toBe(
      "Unauthenticated SERVICE_CREDENTIAL_MALFORMED",
    );
  });
});

describe("a service with credentials off", () => {
  it("trusts a call without a credential, checks one that comes, and refuses one it cannot check", async () => {
    const lenientUrl = await startProducts({ ...settingsOf("product-service"), required: false });
    const anonymous = createServiceClient(ProductService, createServiceTransport(lenientUrl));
    expect(await answer(anonymous.getProduct({ id: "1" }))).toBe("undefined/");
    expect(await answer((await clientAs("gateway", lenientUrl, "network")).getProduct({ id: "1" }))).toBe(
      "PermissionDenied CALLER_NOT_ALLOWED",
    );
    const keyless = await startProducts({ required: false });
    expect(await answer(anonymous.getProduct({ id: "1" }))).toBe("undefined/");
    expect(await answer((await clientAs("checkout-service", keyless, "network")).getProduct({ id: "1" }))).toBe(
      "Unauthenticated SERVICE_CREDENTIAL_UNVERIFIABLE",
    );
  });
});
