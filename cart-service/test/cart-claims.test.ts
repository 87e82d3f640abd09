import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import { loadProductConfig, startProductService } from "@checkout-saga/product-service";
import {
  buildEnvelope,
  CHECKOUT_EVENTS_TOPIC,
  type CheckoutEvent,
  createInProcessEventBus,
  createServiceClient,
  createServiceTransport,
  encodeEnvelope,
  errorDetail,
  type InProcessEventBus,
} from "@checkout-saga/shared";
import { type Cart, CartService } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import {
  CheckoutCompletedSchema,
  CheckoutFailedSchema,
  EventLineSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import { testLogger } from "@checkout-saga/shared/testing";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CartConfig, loadCartConfig, startCartService } from "../src/index.js";

const logger = testLogger("cart-claims-test");

let dir: string;
let product: { port: number; stop(): Promise<void> };
let bus: InProcessEventBus;
let cartConfig: CartConfig;
let cart: { port: number; stop(): Promise<void> } | undefined;
let client: ReturnType<typeof createServiceClient<typeof CartService>>;

async function startCart(): Promise<void> {
  cart = await startCartService(cartConfig, logger, { events: bus });
  client = createServiceClient(CartService, createServiceTransport(`http://127.0.0.1:${cart.port}`));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "cart-claims-"));
  product = await startProductService(
    loadProductConfig({ PRODUCT_PORT: "0", PRODUCT_DATABASE_PATH: path.join(dir, "product.db") }),
    logger,
  );
  bus = createInProcessEventBus({ logger, maxAttempts: 1 });
  cartConfig = loadCartConfig({
    CART_PORT: "0",
    CART_DATABASE_PATH: path.join(dir, "cart.db"),
    PRODUCT_URL: `http://127.0.0.1:${product.port}`,
  });
  await startCart();
});

afterAll(async () => {
  await cart?.stop();
  await product?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const lines = (...l: Array<[string, number]>) => l.map(([productId, quantity]) => ({ productId, quantity }));
const quantities = (c: Cart | undefined) => c?.items.map((i) => [i.productId, i.quantity]);
const holders = (c: Cart | undefined) =>
  c?.claims.map((h) => [h.checkoutId, ...h.lines.map((l) => `${l.productId}x${l.quantity}`)]);

async function rejection(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail");
}

async function failure(call: Promise<unknown>): Promise<string> {
  const err = await rejection(call);
  return `${Code[err.code]}/${errorDetail(err)?.reason}`;
}

async function publish(userId: string, eventId: string, payload: CheckoutEvent): Promise<void> {
  const envelope = buildEnvelope({ eventId, aggregateId: `checkout-${eventId}`, occurredAt: new Date(), payload });
  await bus.publish(CHECKOUT_EVENTS_TOPIC, [{ key: userId, value: encodeEnvelope(envelope) }]);
}

const completed = (userId: string, checkoutId: string, l: Array<[string, number]>): CheckoutEvent => ({
  case: "checkoutCompleted",
  value: create(CheckoutCompletedSchema, {
    checkoutId,
    userId,
    items: l.map(([productId, quantity]) => create(EventLineSchema, { productId, quantity })),
  }),
});

const failed = (userId: string, checkoutId: string): CheckoutEvent => ({
  case: "checkoutFailed",
  value: create(CheckoutFailedSchema, { checkoutId, userId, reasonCode: "PAYMENT_DECLINED" }),
});

describe("ClaimCartLines and ReleaseCartClaim over Connect", () => {
  it("holds lines for one checkout, shows the held claim in GetCart and repeats idempotently", async () => {
    await client.addItem({ userId: "ann", productId: "1", quantity: 2 });
    await client.getCart({ userId: "ann" }); // warm the cache
    const { claim } = await client.claimCartLines({ userId: "ann", checkoutId: "co-1", lines: lines(["1", 1]) });
    expect(claim?.checkoutId).toBe("co-1");
    expect(claim?.lines.map((l) => [l.productId, l.quantity])).toEqual([["1", 1]]);
    expect(holders((await client.getCart({ userId: "ann" })).cart)).toEqual([["co-1", "1x1"]]);

    const again = await client.claimCartLines({ userId: "ann", checkoutId: "co-1", lines: lines(["1", 2]) });
    expect(again.claim).toEqual(claim);
    expect(holders((await client.getCart({ userId: "ann" })).cart)).toEqual([["co-1", "1x1"]]);
  });

  it("refuses held quantities with CART_LINES_HELD, the short lines and who holds them", async () => {
    await client.addItem({ userId: "ben", productId: "1", quantity: 1 });
    await client.addItem({ userId: "ben", productId: "2", quantity: 1 });
    await client.claimCartLines({ userId: "ben", checkoutId: "co-a", lines: lines(["1", 1]) });

    const err = await rejection(
      client.claimCartLines({ userId: "ben", checkoutId: "co-b", lines: lines(["1", 1], ["2", 1]) }),
    );
    expect(err.code).toBe(Code.FailedPrecondition);
    const detail = errorDetail(err);
    expect(detail?.reason).toBe("CART_LINES_HELD");
    expect(detail?.metadata.held_by).toBe("co-a");
    expect(detail?.lines.map((l) => [l.productId, l.requested, l.available])).toEqual([["1", 1, 0]]);
    // All or nothing: the free Keyboard was not held either.
    expect(holders((await client.getCart({ userId: "ben" })).cart)).toEqual([["co-a", "1x1"]]);
    await client.claimCartLines({ userId: "ben", checkoutId: "co-b", lines: lines(["2", 1]) });
  });

  it("releases a claim, freeing its lines, and refuses the released checkout's claim afterwards", async () => {
    await client.addItem({ userId: "cat", productId: "3", quantity: 1 });
    await client.claimCartLines({ userId: "cat", checkoutId: "co-x", lines: lines(["3", 1]) });
    await client.releaseCartClaim({ userId: "cat", checkoutId: "co-x" });
    await client.releaseCartClaim({ userId: "cat", checkoutId: "co-x" });
    expect((await client.getCart({ userId: "cat" })).cart?.claims).toEqual([]);
    expect(await failure(client.claimCartLines({ userId: "cat", checkoutId: "co-x", lines: lines(["3", 1]) }))).toBe(
      "FailedPrecondition/CART_CLAIM_RELEASED",
    );
    await client.claimCartLines({ userId: "cat", checkoutId: "co-y", lines: lines(["3", 1]) });
  });

  it("refuses a claim arriving after its release for a user who had no cart at the release", async () => {
    await client.releaseCartClaim({ userId: "dan", checkoutId: "co-late" });
    await client.addItem({ userId: "dan", productId: "1", quantity: 1 });
    expect(await failure(client.claimCartLines({ userId: "dan", checkoutId: "co-late", lines: lines(["1", 1]) }))).toBe(
      "FailedPrecondition/CART_CLAIM_RELEASED",
    );
  });

  it("refuses malformed requests", async () => {
    const ok = { userId: "eve", checkoutId: "co-1", lines: lines(["1", 1]) };
    expect(await failure(client.claimCartLines({ ...ok, checkoutId: "" }))).toBe("InvalidArgument/INVALID_ARGUMENT");
    expect(await failure(client.claimCartLines({ ...ok, checkoutId: "c".repeat(65) }))).toBe(
      "InvalidArgument/INVALID_ARGUMENT",
    );
    expect(await failure(client.claimCartLines({ ...ok, lines: [] }))).toBe("InvalidArgument/INVALID_ARGUMENT");
    expect(await failure(client.claimCartLines({ ...ok, lines: lines(["1", 0]) }))).toBe(
      "InvalidArgument/INVALID_QUANTITY",
    );
    expect(await failure(client.releaseCartClaim({ userId: "", checkoutId: "co-1" }))).toBe(
      "InvalidArgument/INVALID_ARGUMENT",
    );
  });

  it("lets exactly one of 10 racing checkouts claim the last unit", async () => {
    await client.addItem({ userId: "fay", productId: "4", quantity: 1 });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        client.claimCartLines({ userId: "fay", checkoutId: `race-${i}`, lines: lines(["4", 1]) }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const reasons = results.flatMap((r) => (r.status === "rejected" ? [errorDetail(r.reason)?.reason] : []));
    expect(new Set(reasons)).toEqual(new Set(["CART_LINES_HELD"]));
    expect((await client.getCart({ userId: "fay" })).cart?.claims).toHaveLength(1);
  });
});

describe("checkout events settle and release claims", () => {
  it("CheckoutCompleted takes the claim's lines out once, keeping what was added meanwhile", async () => {
    await client.addItem({ userId: "gus", productId: "2", quantity: 1 });
    await client.claimCartLines({ userId: "gus", checkoutId: "co-mouse", lines: lines(["2", 1]) });
    // The user adds a Keyboard and another of the same product before the event arrives.
    await client.addItem({ userId: "gus", productId: "3", quantity: 1 });
    await client.addItem({ userId: "gus", productId: "2", quantity: 1 });
    await client.getCart({ userId: "gus" }); // warm the cache

    const event = completed("gus", "co-mouse", [["2", 1]]);
    await publish("gus", "evt-gus-1", event);
    const settled = (await client.getCart({ userId: "gus" })).cart;
    expect(quantities(settled)).toEqual([
      ["2", 1],
      ["3", 1],
    ]);
    expect(settled?.claims).toEqual([]);

    await publish("gus", "evt-gus-1", event);
    await publish("gus", "evt-gus-1-again", event);
    expect((await client.getCart({ userId: "gus" })).cart).toEqual(settled);
    // The settled checkout's repeat gets its claim back but holds nothing.
    await client.claimCartLines({ userId: "gus", checkoutId: "co-mouse", lines: lines(["2", 1]) });
    expect((await client.getCart({ userId: "gus" })).cart?.claims).toEqual([]);
    expect(bus.deadLetters).toEqual([]);
  });

  it("CheckoutFailed releases the claim, and a late claim of that checkout holds nothing", async () => {
    await client.addItem({ userId: "hal", productId: "1", quantity: 1 });
    await client.claimCartLines({ userId: "hal", checkoutId: "co-declined", lines: lines(["1", 1]) });
    await publish("hal", "evt-hal-1", failed("hal", "co-declined"));
    const after = (await client.getCart({ userId: "hal" })).cart;
    expect(after?.claims).toEqual([]);
    expect(quantities(after)).toEqual([["1", 1]]);

    await publish("hal", "evt-hal-2", failed("hal", "co-never-claimed"));
    expect(
      await failure(client.claimCartLines({ userId: "hal", checkoutId: "co-never-claimed", lines: lines(["1", 1]) })),
    ).toBe("FailedPrecondition/CART_CLAIM_RELEASED");
    expect(bus.deadLetters).toEqual([]);
  });
});

describe("restart", () => {
  it("keeps held claims across a restart on the same file", async () => {
    await client.addItem({ userId: "ivy", productId: "5", quantity: 1 });
    await client.claimCartLines({ userId: "ivy", checkoutId: "co-kept", lines: lines(["5", 1]) });
    await cart?.stop();
    await startCart();
    expect(holders((await client.getCart({ userId: "ivy" })).cart)).toEqual([["co-kept", "5x1"]]);
    expect(
      await failure(client.claimCartLines({ userId: "ivy", checkoutId: "co-other", lines: lines(["5", 1]) })),
    ).toBe("FailedPrecondition/CART_LINES_HELD");
  });
});
