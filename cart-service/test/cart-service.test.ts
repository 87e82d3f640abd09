import path from "node:path";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { createInProcessEventBus } from "@checkout-saga/shared";
import { testLogger } from "@checkout-saga/shared/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteCartStore, startCartService } from "../src/index.js";
import {
  type CartClient,
  checkoutFailed,
  checkoutCompleted as completedEvent,
  connectCart,
  failure,
  quantities,
  startCartHarness,
} from "./cart-harness.js";

const logger = testLogger("cart-service-test");
let harness: Awaited<ReturnType<typeof startCartHarness>>;
let client: CartClient;

beforeAll(async () => {
  harness = await startCartHarness("cart-service-", logger);
  client = await harness.startCart();
});

afterAll(async () => {
  await harness?.stop();
});

const publish = (...args: Parameters<typeof harness.publish>) => harness.publish(...args);
const checkoutCompleted = (userId: string, lines: Array<[string, number]>) => completedEvent(userId, "c1", lines);

describe("cart service over Connect", () => {
  it("gives a new user an empty cart", async () => {
    const { cart: c } = await client.getCart({ userId: "newcomer" });
    expect(c?.userId).toBe("newcomer");
    expect(c?.items).toEqual([]);
    expect(c?.updatedAt).toBeUndefined();
  });

  it("adds, updates, removes and clears lines", async () => {
    const added = await client.addItem({ userId: "alice", productId: "1", quantity: 1 });
    expect(quantities(added.cart)).toEqual([["1", 1]]);
    const addedAt = added.cart?.items[0]?.addedAt;
    expect(addedAt && timestampDate(addedAt).getTime()).toBeGreaterThan(0);

    await client.addItem({ userId: "alice", productId: "2", quantity: 2 });
    expect(quantities((await client.addItem({ userId: "alice", productId: "1", quantity: 2 })).cart)).toEqual([
      ["1", 3],
      ["2", 2],
    ]);
    expect(quantities((await client.updateQuantity({ userId: "alice", productId: "2", quantity: 5 })).cart)).toEqual([
      ["1", 3],
      ["2", 5],
    ]);
    expect(quantities((await client.removeItem({ userId: "alice", productId: "1" })).cart)).toEqual([["2", 5]]);
    expect(quantities((await client.getCart({ userId: "alice" })).cart)).toEqual([["2", 5]]);
    expect((await client.clearCart({ userId: "alice" })).cart?.items).toEqual([]);
    expect((await client.getCart({ userId: "alice" })).cart?.items).toEqual([]);
  });

  it("refuses a 51st line but still adds to existing lines", async () => {
    // 49 lines straight into the store: the catalog only has five products.
    const store = openSqliteCartStore(harness.config.databasePath);
    const addedAt = new Date();
    const items = Array.from({ length: 49 }, (_, i) => ({ productId: `seeded-${i}`, quantity: 1, addedAt }));
    await store.save({ userId: "full", items, claims: [], version: 1, updatedAt: addedAt, appliedEventIds: [] }, 0);
    store.close();

    expect((await client.addItem({ userId: "full", productId: "1", quantity: 1 })).cart?.items).toHaveLength(50);
    expect(await failure(client.addItem({ userId: "full", productId: "2", quantity: 1 }))).toBe(
      "FailedPrecondition/CART_LINE_LIMIT",
    );
    const more = await client.addItem({ userId: "full", productId: "1", quantity: 1 });
    expect(more.cart?.items.find((i) => i.productId === "1")?.quantity).toBe(2);
    expect((await client.getCart({ userId: "full" })).cart?.items).toHaveLength(50);
  });

  it("refuses quantities outside 1..99 by the request's field rule, and adding past 99 as a conflict", async () => {
    expect(await failure(client.addItem({ userId: "bob", productId: "1", quantity: 0 }))).toBe(
      "InvalidArgument/INVALID_ARGUMENT",
    );
    expect(await failure(client.addItem({ userId: "bob", productId: "1", quantity: 100 }))).toBe(
      "InvalidArgument/INVALID_ARGUMENT",
    );
    await client.addItem({ userId: "bob", productId: "1", quantity: 99 });
    expect(await failure(client.addItem({ userId: "bob", productId: "1", quantity: 1 }))).toBe(
      "FailedPrecondition/CART_LINE_QUANTITY_LIMIT",
    );
    expect(await failure(client.updateQuantity({ userId: "bob", productId: "1", quantity: 0 }))).toBe(
      "InvalidArgument/INVALID_ARGUMENT",
    );
    expect(await failure(client.updateQuantity({ userId: "bob", productId: "1", quantity: 100 }))).toBe(
      "InvalidArgument/INVALID_ARGUMENT",
    );
    expect(quantities((await client.getCart({ userId: "bob" })).cart)).toEqual([["1", 99]]);
  });

  it("refuses a product the catalog does not have", async () => {
    expect(await failure(client.addItem({ userId: "carol", productId: "999", quantity: 1 }))).toBe(
      "NotFound/PRODUCT_NOT_FOUND",
    );
    expect((await client.getCart({ userId: "carol" })).cart?.items).toEqual([]);
  });

  it("refuses changes to lines the cart does not have, and calls without a user", async () => {
    await client.addItem({ userId: "dave", productId: "1", quantity: 1 });
    expect(await failure(client.updateQuantity({ userId: "dave", productId: "2", quantity: 1 }))).toBe(
      "NotFound/CART_LINE_NOT_FOUND",
    );
    expect(await failure(client.removeItem({ userId: "dave", productId: "2" }))).toBe("NotFound/CART_LINE_NOT_FOUND");
    expect(await failure(client.getCart({ userId: "" }))).toBe("InvalidArgument/INVALID_ARGUMENT");
  });
});

describe("CheckoutCompleted consumer", () => {
  it("takes out only the checked-out quantities, once per event id", async () => {
    await client.addItem({ userId: "erin", productId: "1", quantity: 2 });
    await client.addItem({ userId: "erin", productId: "2", quantity: 1 });
    // The checkout of {1: 2, 2: 1} begins; the user keeps shopping meanwhile.
    await client.addItem({ userId: "erin", productId: "1", quantity: 1 });
    await client.addItem({ userId: "erin", productId: "3", quantity: 4 });
    await client.getCart({ userId: "erin" }); // warm the cache

    const completed = checkoutCompleted("erin", [
      ["1", 2],
      ["2", 1],
    ]);
    await publish("erin", "evt-erin-1", completed);
    const expected = [
      ["1", 1],
      ["3", 4],
    ];
    expect(quantities((await client.getCart({ userId: "erin" })).cart)).toEqual(expected);

    await publish("erin", "evt-erin-1", completed);
    expect(quantities((await client.getCart({ userId: "erin" })).cart)).toEqual(expected);
    expect(harness.bus.deadLetters).toEqual([]);
  });

  it("keeps the lines on CheckoutFailed and creates no cart for a CheckoutCompleted", async () => {
    await client.addItem({ userId: "frank", productId: "1", quantity: 1 });
    await publish("frank", "evt-frank-failed", checkoutFailed("frank", "c2"));
    expect(quantities((await client.getCart({ userId: "frank" })).cart)).toEqual([["1", 1]]);

    await publish("ghost", "evt-ghost-1", checkoutCompleted("ghost", [["1", 1]]));
    expect((await client.getCart({ userId: "ghost" })).cart?.updatedAt).toBeUndefined();
    expect(harness.bus.deadLetters).toEqual([]);
  });
});

describe("restart", () => {
  it("keeps carts and applied event ids across a restart on the same file", async () => {
    await client.addItem({ userId: "grace", productId: "4", quantity: 3 });
    await publish("grace", "evt-grace-1", checkoutCompleted("grace", [["4", 1]]));
    const before = (await client.getCart({ userId: "grace" })).cart;

    await harness.stopCart();
    client = await harness.startCart();

    const after = (await client.getCart({ userId: "grace" })).cart;
    expect(quantities(after)).toEqual([["4", 2]]);
    expect(after).toEqual(before);
    await publish("grace", "evt-grace-1", checkoutCompleted("grace", [["4", 1]]));
    expect(quantities((await client.getCart({ userId: "grace" })).cart)).toEqual([["4", 2]]);
  });
});

describe("without the product service", () => {
  it("answers UNAVAILABLE when a product cannot be checked", async () => {
    const blind = await startCartService(
      { ...harness.config, databasePath: path.join(harness.dir, "blind.db"), productUrl: "http://127.0.0.1:1" },
      logger,
      { events: createInProcessEventBus({ logger }) },
    );
    try {
      const blindClient = connectCart(blind.port);
      expect(await failure(blindClient.addItem({ userId: "henry", productId: "1", quantity: 1 }))).toBe(
        "Unavailable/PRODUCT_SERVICE_UNAVAILABLE",
      );
      expect((await blindClient.getCart({ userId: "henry" })).cart?.items).toEqual([]);
    } finally {
      await blind.stop();
    }
  });
});
