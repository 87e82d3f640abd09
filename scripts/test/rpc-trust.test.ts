import { generateKeyPairSync } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import type { DescService } from "@bufbuild/protobuf";
import {
  createServiceClient,
  createServiceTransport,
  DEVELOPER,
  errorDetail,
  GATEWAY,
  loadSigningKey,
  rpcKeyFiles,
  signCredential,
  signServiceToken,
  signUserAssertion,
  USER_ASSERTION,
  USER_ASSERTION_HEADER,
  type UserAssertion,
} from "@checkout-saga/shared";
import { CartService } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { CheckoutService } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import { OrderStatus, OrdersService } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { ServerReflection } from "@checkout-saga/shared/gen/grpc/reflection/v1/reflection_pb";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runE2EScenario } from "../lib/e2e-scenario.js";
import {
  type EmbeddedProcess,
  interruptEmbeddedProcess,
  isolatedEmbeddedEnv,
  startEmbeddedProcess,
} from "../lib/embedded-process.js";
import { eventually } from "../lib/eventually.js";
import { RestCustomer } from "../lib/rest-customer.js";
import { credentialsInBanner } from "../lib/rpc-credential-flags.js";
import { TEST_ADDRESS } from "../lib/test-address.js";

/**
 * Service credentials and user assertions on a running system: `npm start` with
 * RPC_CREDENTIALS=on and the services calling each other over the network, as in production.
 * Raw Connect clients play a stranger at every port (no credential, a forged one), the gateway
 * forging or forgetting a user, and one user reaching for another's data through every RPC and
 * route; and the e2e scenario with credentials on in process, npm start's default transport. The
 * same port checks against `npm run stack -- up`: scripts/lib/stack-credential-checks.ts.
 */

/** Replies are read field by field; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

let system: EmbeddedProcess | undefined;
let isolated: Awaited<ReturnType<typeof isolatedEmbeddedEnv>>;
let keys: ReturnType<typeof rpcKeyFiles>;

beforeAll(async () => {
  isolated = await isolatedEmbeddedEnv("checkout-saga-rpc-trust-", {
    RPC_CREDENTIALS: "on",
    EMBEDDED_RPC: "network",
    SAGA_STEP_MODE: "true",
    RATE_LIMIT_PER_MINUTE: "0",
    LOG_LEVEL: "warn",
  });
  system = await startEmbeddedProcess(isolated.env);
  keys = rpcKeyFiles(path.join(isolated.dataDir, "rpc-keys"));
}, 120_000);

afterAll(async () => {
  if (system) await interruptEmbeddedProcess(system);
  if (isolated) await rm(isolated.dataDir, { recursive: true, force: true });
});

const SERVICES = {
  product: ProductService,
  cart: CartService,
  inventory: InventoryService,
  payment: PaymentService,
  orders: OrdersService,
  checkout: CheckoutService,
} as const;
type Name = keyof typeof SERVICES;

/** A client of one service that adds nothing of its own: no credential unless a test gives headers. */
function raw<N extends Name>(name: N) {
  const url = `http://127.0.0.1:${isolated.env[`${name.toUpperCase()}_PORT`]}`;
  return createServiceClient(SERVICES[name] as (typeof SERVICES)[N] & DescService, createServiceTransport(url));
}

/** A service credential of `identity` for `service`, signed with `key` (its own from the system's key dir by default). */
async function credential(identity: string, service: Name, key?: Parameters<typeof signServiceToken>[0]["key"]) {
  return signServiceToken({
    issuer: identity,
    key: key ?? (await loadSigningKey(keys.signingKey(identity))),
    audience: `${service}-service`,
    ttlSeconds: 300,
    now: new Date(),
  });
}

/** Who signs a user assertion in a test: the gateway, or a forger. */
type AssertionSigner =
  | "the gateway"
  | "a stranger's key, claiming to be the gateway"
  | "checkout-service's key, claiming to be the gateway"
  | "checkout-service, as itself";

async function signedAssertion(user: UserAssertion, signer: AssertionSigner): Promise<string> {
  const now = new Date();
  if (signer === "checkout-service, as itself") {
    const key = await loadSigningKey(keys.signingKey("checkout-service"));
    const claims = { sub: user.userId, roles: [...user.roles] };
    return signCredential(USER_ASSERTION, { issuer: "checkout-service", key, claims, ttlSeconds: 60, now });
  }
  const key =
    signer === "the gateway"
      ? await loadSigningKey(keys.signingKey(GATEWAY))
      : signer === "a stranger's key, claiming to be the gateway"
        ? generateKeyPairSync("ed25519").privateKey
        : await loadSigningKey(keys.signingKey("checkout-service"));
  return signUserAssertion({ key, user, ttlSeconds: 60, now });
}

/** Headers of a call by `identity` to `service`, asserting `user` (signed by the gateway unless `signer` says otherwise). */
async function as(
  identity: string,
  service: Name,
  user?: UserAssertion,
  signer: AssertionSigner = "the gateway",
): Promise<{ headers: Record<string, string> }> {
  const headers: Record<string, string> = { authorization: `Bearer ${await credential(identity, service)}` };
  if (user) headers[USER_ASSERTION_HEADER] = await signedAssertion(user, signer);
  return { headers };
}

/** "ok", or the refusal as `Code REASON`. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "ok";
  } catch (err) {
    const e = ConnectError.from(err);
    return `${Code[e.code]} ${errorDetail(e)?.reason ?? e.rawMessage}`;
  }
}

const alice: UserAssertion = { userId: "trust-alice", roles: [] };
const bob: UserAssertion = { userId: "trust-bob", roles: [] };
const admin: UserAssertion = { userId: "trust-ops", roles: ["admin"] };

/** The cheapest read of each service, as a stranger would try it. */
const READS: Record<Name, (options?: { headers: Record<string, string> }) => Promise<unknown>> = {
  product: (o) => raw("product").getProducts({ ids: ["1"] }, o),
  cart: (o) => raw("cart").getCart({ userId: bob.userId }, o),
  inventory: (o) => raw("inventory").getStock({ productIds: ["1"] }, o),
  payment: (o) => raw("payment").getPayment({ paymentId: "any" }, o),
  orders: (o) => raw("orders").listOrders({ userId: bob.userId }, o),
  checkout: (o) => raw("checkout").listCheckouts({ userId: bob.userId }, o),
};
const names = Object.keys(SERVICES) as Name[];

describe("every service port, credentials on", () => {
  it.each(names)("%s refuses a call without a credential", async (name) => {
    expect(await outcome(READS[name]())).toBe("Unauthenticated SERVICE_CREDENTIAL_MISSING");
  });

  it.each(names)("%s refuses a credential for another service, or signed by a stranger", async (name) => {
    const other: Name = name === "product" ? "cart" : "product";
    const wrongAudience = { headers: { authorization: `Bearer ${await credential(DEVELOPER, other)}` } };
    expect(await outcome(READS[name](wrongAudience))).toBe("Unauthenticated SERVICE_CREDENTIAL_WRONG_AUDIENCE");
    const stranger = generateKeyPairSync("ed25519").privateKey;
    const forged = { headers: { authorization: `Bearer ${await credential(DEVELOPER, name, stranger)}` } };
    expect(await outcome(READS[name](forged))).toBe("Unauthenticated SERVICE_CREDENTIAL_BAD_SIGNATURE");
  });

  it.each(names)(
    "%s answers the developer's credential (with a user's assertion where it acts as one)",
    async (name) => {
      const needsUser = name === "cart";
      const answer = await outcome(READS[name](await as(DEVELOPER, name, needsUser ? bob : undefined)));
      expect(answer).toBe(name === "payment" ? "NotFound PAYMENT_NOT_FOUND" : "ok");
    },
  );

  it("npm start printed a developer credential for each, and it works there only", async () => {
    const printed = credentialsInBanner(system?.banner ?? "");
    expect([...printed.keys()].sort()).toEqual(names.map((n) => `${n}-service`).sort());
    for (const name of names) {
      const headers = printed.get(`${name}-service`) ?? {};
      expect(Object.keys(headers)).toEqual(["authorization"]);
      const expected = { cart: "PermissionDenied USER_ASSERTION_REQUIRED", payment: "NotFound PAYMENT_NOT_FOUND" };
      expect(await outcome(READS[name]({ headers })), name).toBe(expected[name as keyof typeof expected] ?? "ok");
      const elsewhere: Name = name === "product" ? "inventory" : "product";
      expect(await outcome(READS[elsewhere]({ headers })), `${name}'s at ${elsewhere}`).toBe(
        "Unauthenticated SERVICE_CREDENTIAL_WRONG_AUDIENCE",
      );
    }
    expect(system?.banner).toContain("npm run rpc-credentials -- --service cart --user alice --keys-dir");
  });

  it("leaves reflection open: it only describes the published .proto files", async () => {
    const reflection = createServiceClient(
      ServerReflection,
      createServiceTransport(`http://127.0.0.1:${isolated.env.PAYMENT_PORT}`),
    );
    const listed: string[] = [];
    for await (const res of reflection.serverReflectionInfo(
      (async function* () {
        yield { host: "", messageRequest: { case: "listServices" as const, value: "" } };
      })(),
    )) {
      if (res.messageResponse.case === "listServicesResponse") {
        listed.push(...res.messageResponse.value.service.map((s) => s.name));
      }
    }
    expect(listed).toContain("checkoutsaga.payment.v1.PaymentService");
  });
});

describe("the user a call acts for", () => {
  let bobsCheckout: Json;
  let bobsOrder: Json;
  let bobsStepCheckout: Json;

  beforeAll(async () => {
    const api = `${isolated.gatewayUrl}/api/v1`;
    const customer = new RestCustomer(api, bob.userId);
    await customer.signIn();
    expect((await customer.addItem("2")).status).toBe(201);
    const done = await customer.checkout("trust-bob-1");
    expect(done.status, JSON.stringify(done.body)).toBe(201);
    bobsCheckout = done.body;
    bobsOrder = (
      await eventually(
        () => customer.orders(),
        (orders) => orders.length > 0,
        10_000,
        100,
      )
    )[0];
    expect(bobsOrder).toBeDefined();
    expect((await customer.addItem("2")).status).toBe(201);
    const stepped = await customer.call(
      "POST",
      "/checkout",
      { payment_method: { type: "card", token: "tok_visa" }, shipping_address: TEST_ADDRESS, step_mode: true },
      { "Idempotency-Key": "trust-bob-2" },
    );
    expect(stepped.status, JSON.stringify(stepped.body)).toBe(202);
    bobsStepCheckout = stepped.body;
  }, 60_000);

  it("the gateway's identity cannot act for a user without that user's assertion", async () => {
    const gateway = (service: Name) => as(GATEWAY, service);
    expect(await outcome(raw("cart").getCart({ userId: bob.userId }, await gateway("cart")))).toBe(
      "PermissionDenied USER_ASSERTION_REQUIRED",
    );
    expect(
      await outcome(raw("cart").addItem({ userId: bob.userId, productId: "1", quantity: 1 }, await gateway("cart"))),
    ).toBe("PermissionDenied USER_ASSERTION_REQUIRED");
    expect(
      await outcome(raw("checkout").getCheckout({ checkoutId: bobsCheckout.checkout_id }, await gateway("checkout"))),
    ).toBe("PermissionDenied USER_ASSERTION_REQUIRED");
    expect(await outcome(raw("orders").listOrders({ userId: bob.userId }, await gateway("orders")))).toBe(
      "PermissionDenied USER_ASSERTION_REQUIRED",
    );
  });

  it.each([
    ["a stranger's key, claiming to be the gateway", "Unauthenticated USER_ASSERTION_BAD_SIGNATURE"],
    ["checkout-service's key, claiming to be the gateway", "Unauthenticated USER_ASSERTION_BAD_SIGNATURE"],
    ["checkout-service, as itself", "Unauthenticated USER_ASSERTION_FOREIGN_ISSUER"],
  ] as const)("an assertion signed by %s is refused, with a valid service credential", async (signer, refusal) => {
    for (const caller of [GATEWAY, DEVELOPER]) {
      expect(await outcome(raw("cart").getCart({}, await as(caller, "cart", bob, signer))), caller).toBe(refusal);
    }
  });

  it("alice's assertion never reaches bob's cart, checkouts or orders, whatever the request names", async () => {
    const cart = await as(GATEWAY, "cart", alice);
    expect(await outcome(raw("cart").getCart({ userId: bob.userId }, cart))).toBe("PermissionDenied USER_MISMATCH");
    expect(await outcome(raw("cart").clearCart({ userId: bob.userId }, cart))).toBe("PermissionDenied USER_MISMATCH");
    expect(await outcome(raw("cart").addItem({ userId: bob.userId, productId: "1", quantity: 1 }, cart))).toBe(
      "PermissionDenied USER_MISMATCH",
    );
    expect(await outcome(raw("cart").claimCartLines({ userId: bob.userId, checkoutId: "x", lines: [] }, cart))).toBe(
      "PermissionDenied CALLER_NOT_ALLOWED",
    );
    const alicesCart = await raw("cart").getCart({}, cart);
    expect(alicesCart.cart?.userId).toBe(alice.userId);
    expect(alicesCart.cart?.items ?? []).toEqual([]);

    const checkout = await as(GATEWAY, "checkout", alice);
    const bobs = bobsCheckout.checkout_id;
    expect(await outcome(raw("checkout").getCheckout({ checkoutId: bobs, userId: bob.userId }, checkout))).toBe(
      "PermissionDenied USER_MISMATCH",
    );
    expect(await outcome(raw("checkout").getCheckout({ checkoutId: bobs }, checkout))).toBe(
      "NotFound CHECKOUT_NOT_FOUND",
    );
    expect(await outcome(raw("checkout").listCheckouts({ userId: bob.userId }, checkout))).toBe(
      "PermissionDenied USER_MISMATCH",
    );
    expect((await raw("checkout").listCheckouts({}, checkout)).checkouts).toEqual([]);

    const orders = await as(GATEWAY, "orders", alice);
    expect(await outcome(raw("orders").getOrder({ orderId: bobsOrder.id }, orders))).toBe("NotFound ORDER_NOT_FOUND");
    expect(await outcome(raw("orders").getOrder({ orderId: bobsOrder.id, userId: bob.userId }, orders))).toBe(
      "PermissionDenied USER_MISMATCH",
    );
    expect((await raw("orders").listOrders({}, orders)).orders).toEqual([]);
  });

  it("bob's assertion reaches bob's own, with or without naming him", async () => {
    const checkout = await as(GATEWAY, "checkout", bob);
    const mine = await raw("checkout").getCheckout({ checkoutId: bobsCheckout.checkout_id }, checkout);
    expect(mine.checkout?.userId).toBe(bob.userId);
    const orders = await as(GATEWAY, "orders", bob);
    expect((await raw("orders").listOrders({ userId: bob.userId }, orders)).orders.map((o) => o.id)).toEqual([
      bobsOrder.id,
    ]);
  });

  it("through REST, alice's token reaches none of bob's cart, checkouts or orders (404)", async () => {
    const api = `${isolated.gatewayUrl}/api/v1`;
    const aliceRest = new RestCustomer(api, alice.userId);
    await aliceRest.signIn();
    expect((await aliceRest.call("GET", `/checkout/${bobsCheckout.checkout_id}`)).status).toBe(404);
    expect((await aliceRest.call("GET", `/orders/${bobsOrder.id}`)).status).toBe(404);
    expect(await aliceRest.orders()).toEqual([]);
    expect((await aliceRest.cart()).items).toEqual([]);
  });

  it("admin methods refuse a user without the admin role, and work with it", async () => {
    const stepId = bobsStepCheckout.checkout_id;
    expect(
      await outcome(raw("checkout").advanceCheckout({ checkoutId: stepId }, await as(GATEWAY, "checkout", bob))),
    ).toBe("PermissionDenied ADMIN_ROLE_REQUIRED");
    expect(await outcome(raw("orders").shipOrder({ orderId: bobsOrder.id }, await as(GATEWAY, "orders", bob)))).toBe(
      "PermissionDenied ADMIN_ROLE_REQUIRED",
    );
    expect(await outcome(raw("checkout").advanceCheckout({ checkoutId: stepId }, await as(GATEWAY, "checkout")))).toBe(
      "PermissionDenied ADMIN_ROLE_REQUIRED",
    );
    expect(await outcome(raw("checkout").republishDeadLetters({}, await as(GATEWAY, "checkout", bob)))).toBe(
      "PermissionDenied ADMIN_ROLE_REQUIRED",
    );
    // Whether a cart consumed a checkout is an operator's question, not even its user's.
    const bobsClaim = { userId: bob.userId, checkoutId: bobsCheckout.checkout_id };
    expect(await outcome(raw("cart").getCartClaim(bobsClaim, await as(GATEWAY, "cart", bob)))).toBe(
      "PermissionDenied ADMIN_ROLE_REQUIRED",
    );
    expect(await outcome(raw("cart").getCartClaim(bobsClaim, await as(GATEWAY, "cart", admin)))).toBe("ok");
    expect(
      await outcome(raw("orders").listOrderEvents({ orderId: bobsOrder.id }, await as(GATEWAY, "orders", bob))),
    ).toBe("PermissionDenied ADMIN_ROLE_REQUIRED");

    const advanced = await raw("checkout").advanceCheckout(
      { checkoutId: stepId },
      await as(GATEWAY, "checkout", admin),
    );
    expect(advanced.checkout?.history.at(-1)?.reason).toBe("cart lines claimed");
    const shipped = await raw("orders").shipOrder({ orderId: bobsOrder.id }, await as(GATEWAY, "orders", admin));
    expect(shipped.order?.status).toBe(OrderStatus.SHIPPED);
    // The history says which admin shipped it: the asserted user, not the gateway.
    expect(shipped.order?.statusHistory.at(-1)?.actor).toBe(`user:${admin.userId}`);
    const listed = await raw("checkout").listCheckouts({ userId: bob.userId }, await as(GATEWAY, "checkout", admin));
    expect(listed.checkouts.map((c) => c.checkoutId).sort()).toEqual([bobsCheckout.checkout_id, stepId].sort());
    // The developer identity is an operator: it steps sagas without asserting anyone.
    const again = await raw("checkout").advanceCheckout({ checkoutId: stepId }, await as(DEVELOPER, "checkout"));
    expect(again.checkout?.history.at(-1)?.reason).toBe("no points to redeem");
  });

  it("only the checkout saga touches payments and reservations, not the gateway", async () => {
    const gateway = await as(GATEWAY, "payment", admin);
    expect(await outcome(raw("payment").refund({ paymentId: "any" }, gateway))).toBe(
      "PermissionDenied CALLER_NOT_ALLOWED",
    );
    expect(await outcome(raw("inventory").release({ checkoutId: "any" }, await as(GATEWAY, "inventory", admin)))).toBe(
      "PermissionDenied CALLER_NOT_ALLOWED",
    );
  });
});

describe("npm start with credentials on, calling in process (its default transport)", () => {
  it("passes the end-to-end scenario: every in-process call carries and checks credentials too", async () => {
    const inProcess = await isolatedEmbeddedEnv("checkout-saga-rpc-trust-in-process-", {
      RPC_CREDENTIALS: "on",
      LOG_LEVEL: "warn",
    });
    const running = await startEmbeddedProcess(inProcess.env);
    try {
      await runE2EScenario(inProcess.gatewayUrl, () => {});
      const refused = await createServiceClient(
        CartService,
        createServiceTransport(`http://127.0.0.1:${inProcess.env.CART_PORT}`),
      )
        .getCart({ userId: "anyone" })
        .catch((err: unknown) => ConnectError.from(err));
      expect(refused instanceof ConnectError && refused.code).toBe(Code.Unauthenticated);
    } finally {
      await interruptEmbeddedProcess(running);
      await rm(inProcess.dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
