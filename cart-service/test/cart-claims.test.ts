import { errorDetail } from "@checkout-saga/shared";
import { type Cart, ClaimState } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { testLogger } from "@checkout-saga/shared/testing";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CartClient,
  checkoutCompleted as completed,
  checkoutFailed as failed,
  failure,
  quantities,
  rejection,
  startCartHarness,
} from "./cart-harness.js";

let harness: Awaited<ReturnType<typeof startCartHarness>>;
let client: CartClient;

beforeAll(async () => {
  harness = await startCartHarness("cart-claims-", testLogger("cart-claims-test"));
  client = await harness.startCart();
});

afterAll(async () => {
  await harness?.stop();
});

const publish = (...args: Parameters<typeof harness.publish>) => harness.publish(...args);
const lines = (...l: Array<[string, number]>) => l.map(([productId, quantity]) => ({ productId, quantity }));
const holders = (c: Cart | undefined) =>
  c?.claims.map((h) => [h.checkoutId, ...h.lines.map((l) => `${l.productId}x${l.quantity}`)]);

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
      "InvalidArgument/INVALID_ARGUMENT",
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
    const claimOf = () => client.getCartClaim({ userId: "gus", checkoutId: "co-mouse" });
    expect((await claimOf()).state).toBe(ClaimState.HELD);

    const event = completed("gus", "co-mouse", [["2", 1]]);
    await publish("gus", "evt-gus-1", event);
    const settled = (await client.getCart({ userId: "gus" })).cart;
    expect(quantities(settled)).toEqual([
      ["2", 1],
      ["3", 1],
    ]);
    expect(settled?.claims).toEqual([]);
    const settlement = await claimOf();
    expect(settlement.state).toBe(ClaimState.SETTLED);
    expect(settlement.lines.map((l) => [l.productId, l.quantity])).toEqual([["2", 1]]);
    expect(settlement.changedAt).toBeDefined();

    await publish("gus", "evt-gus-1", event);
    await publish("gus", "evt-gus-1-again", event);
    expect((await client.getCart({ userId: "gus" })).cart).toEqual(settled);
    // The settled checkout's repeat gets its claim back but holds nothing.
    await client.claimCartLines({ userId: "gus", checkoutId: "co-mouse", lines: lines(["2", 1]) });
    expect((await client.getCart({ userId: "gus" })).cart?.claims).toEqual([]);
    expect(harness.bus.deadLetters).toEqual([]);
  });

  it("CheckoutFailed releases the claim, and a late claim of that checkout holds nothing", async () => {
    await client.addItem({ userId: "hal", productId: "1", quantity: 1 });
    await client.claimCartLines({ userId: "hal", checkoutId: "co-declined", lines: lines(["1", 1]) });
    await publish("hal", "evt-hal-1", failed("hal", "co-declined"));
    const after = (await client.getCart({ userId: "hal" })).cart;
    expect(after?.claims).toEqual([]);
    expect(quantities(after)).toEqual([["1", 1]]);
    expect((await client.getCartClaim({ userId: "hal", checkoutId: "co-declined" })).state).toBe(ClaimState.RELEASED);
    expect((await client.getCartClaim({ userId: "hal", checkoutId: "co-unheard-of" })).state).toBe(ClaimState.UNKNOWN);

    await publish("hal", "evt-hal-2", failed("hal", "co-never-claimed"));
    expect(
      await failure(client.claimCartLines({ userId: "hal", checkoutId: "co-never-claimed", lines: lines(["1", 1]) })),
    ).toBe("FailedPrecondition/CART_CLAIM_RELEASED");
    expect(harness.bus.deadLetters).toEqual([]);
  });
});

describe("restart", () => {
  it("keeps held claims across a restart on the same file", async () => {
    await client.addItem({ userId: "ivy", productId: "5", quantity: 1 });
    await client.claimCartLines({ userId: "ivy", checkoutId: "co-kept", lines: lines(["5", 1]) });
    await harness.stopCart();
    client = await harness.startCart();
    expect(holders((await client.getCart({ userId: "ivy" })).cart)).toEqual([["co-kept", "5x1"]]);
    expect(
      await failure(client.claimCartLines({ userId: "ivy", checkoutId: "co-other", lines: lines(["5", 1]) })),
    ).toBe("FailedPrecondition/CART_LINES_HELD");
  });
});
