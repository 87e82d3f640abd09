import { create } from "@bufbuild/protobuf";
import { buildEnvelope, encodeEnvelope, errorDetail } from "@checkout-saga/shared";
import { CheckoutStatus } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { CheckoutFailedSchema } from "@checkout-saga/shared/gen/checkoutsaga/events/v1/events_pb";
import { createTestDatabase } from "@checkout-saga/shared/testing";
import { Code, ConnectError } from "@connectrpc/connect";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createFakeWorld, startFakeDownstream } from "./fake-downstream.js";
import { checkoutRequest, eventually, startCheckout } from "./support.js";

const world = createFakeWorld();
let downstream: Awaited<ReturnType<typeof startFakeDownstream>>;
let checkout: Awaited<ReturnType<typeof startCheckout>>;
let db: postgres.Sql;
let userSeq = 0;

/** A fresh user with a cart of 1 laptop + 2 mice (135997 minor units). */
function newUser(
  items = [
    { productId: "1", quantity: 1 },
    { productId: "2", quantity: 2 },
  ],
) {
  const userId = `user-${++userSeq}-${Date.now()}`;
  world.carts.set(userId, items);
  return userId;
}

async function rpcError(call: Promise<unknown>) {
  try {
    await call;
  } catch (err) {
    return { code: ConnectError.from(err).code, reason: errorDetail(err)?.reason, detail: errorDetail(err) };
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  const databaseUrl = await createTestDatabase("checkout_saga");
  downstream = await startFakeDownstream(world);
  checkout = await startCheckout({ databaseUrl, downstreamUrl: downstream.url });
  db = postgres(databaseUrl, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await checkout?.service.stop();
  await downstream?.server.close();
  await db?.end();
});

beforeEach(() => {
  world.faults.confirmReason = undefined;
  world.faults.releaseFails = false;
  world.faults.chargeDelayMs = 0;
});

const outboxOf = (checkoutId: string) =>
  db<{ event_type: string; message_key: string; published_at: Date | null }[]>`
    select event_type, message_key, published_at from outbox where aggregate_id = ${checkoutId}`;

describe("checkout saga over RPC, on PostgreSQL", () => {
  it("completes a checkout: history, one CheckoutCompleted row, published by the relay", async () => {
    const userId = newUser();
    const { checkout: c, replayed } = await checkout.client.initiateCheckout(checkoutRequest(userId, "happy"));
    expect(replayed).toBe(false);
    expect(c?.status).toBe(CheckoutStatus.COMPLETED);
    expect(c?.total).toMatchObject({ currency: "USD", amountMinor: 135997n });
    expect(c?.reservationId).toBe(`res-${c?.checkoutId}`);
    expect(c?.paymentId).toBe(`pay-${c?.checkoutId}`);
    const id = c!.checkoutId;

    const { checkout: got } = await checkout.client.getCheckout({ checkoutId: id, userId });
    expect(got?.history.map((t) => [t.from, t.to])).toEqual([
      [CheckoutStatus.UNSPECIFIED, CheckoutStatus.INITIATED],
      [CheckoutStatus.INITIATED, CheckoutStatus.LINES_CLAIMED],
      [CheckoutStatus.LINES_CLAIMED, CheckoutStatus.POINTS_REDEEMED],
      [CheckoutStatus.POINTS_REDEEMED, CheckoutStatus.INVENTORY_RESERVED],
      [CheckoutStatus.INVENTORY_RESERVED, CheckoutStatus.PAYMENT_PENDING],
      [CheckoutStatus.PAYMENT_PENDING, CheckoutStatus.PAYMENT_COMPLETED],
      [CheckoutStatus.PAYMENT_COMPLETED, CheckoutStatus.COMPLETED],
    ]);
    const historyRows = await db`select seq from checkout_transitions where checkout_id = ${id} order by seq`;
    expect(historyRows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);

    const rows = await outboxOf(id);
    expect(rows.map((r) => [r.event_type, r.message_key])).toEqual([["CheckoutCompleted", userId]]);
    const event = await eventually("the event on the bus", async () =>
      checkout.received.find((e) => e.aggregateId === id),
    );
    expect(event.type).toBe("CheckoutCompleted");
    expect(event.payload.case === "checkoutCompleted" && event.payload.value.total?.amountMinor).toBe(135997n);
    await eventually("the row marked published", async () =>
      (await outboxOf(id))[0]?.published_at ? true : undefined,
    );

    // Operators see it go out: GetOutboxStatus reads the same outbox.
    const { status } = await checkout.client.getOutboxStatus({});
    const [published] = await db`select max(id)::text as id from outbox where published_at is not null`;
    expect(status).toMatchObject({ topic: "checkout-events", lastPublishedId: published?.id });
    expect(status?.publishedLast5Minutes).toBeGreaterThanOrEqual(1n);

    // And one checkout's events (ListCheckoutEvents), sent again on request (ReplayCheckoutEvents).
    const { events } = await checkout.client.listCheckoutEvents({ checkoutId: id });
    expect(events).toMatchObject([{ eventType: "CheckoutCompleted", topic: "checkout-events", key: userId }]);
    expect(events[0]?.publishedAt).toBeDefined();
    const { requeued } = await checkout.client.replayCheckoutEvents({ checkoutId: id });
    expect(requeued.map((e) => e.eventId)).toEqual([events[0]?.eventId]);
    await eventually("the same event on the bus again", async () =>
      checkout.received.filter((e) => e.eventId === events[0]?.eventId).length === 2 ? true : undefined,
    );
    const unknown = "0b9a3c1e-6f1f-4c0e-9d7e-2b7d8a1f5c42";
    expect((await rpcError(checkout.client.listCheckoutEvents({ checkoutId: unknown }))).code).toBe(Code.NotFound);
  });

  it("shows operators what a consumer of checkout-events parked (ListDeadLetters), within the field rules", async () => {
    await checkout.bus.publish("checkout-events", [{ key: "poison-user", value: new Uint8Array([0xff, 0xff]) }]);
    const { deadLetters, total } = await checkout.client.listDeadLetters({ pageSize: 5 });
    expect(total).toBe(1n);
    expect(deadLetters).toMatchObject([
      { topic: "checkout-events", key: "poison-user", eventId: "", consumerGroup: "test", attempts: 0, pending: true },
    ]);
    expect(deadLetters[0]?.position).toBeUndefined();
    expect(deadLetters[0]?.error).not.toBe("");
    expect(deadLetters[0]?.parkedAt?.seconds).toBeGreaterThan(0n);
    expect((await rpcError(checkout.client.listDeadLetters({ pageSize: 101 }))).code).toBe(Code.InvalidArgument);
  });

  it("sends what a consumer parked back to it once fixed (RepublishDeadLetters), skipping bytes that never decode", async () => {
    let fixed = false;
    const handled: string[] = [];
    const flaky = await checkout.bus.subscribe({
      topic: "checkout-events",
      group: "flaky",
      handler: async (event) => {
        if (!fixed) throw new Error("not fixed yet");
        handled.push(event.eventId);
      },
    });
    try {
      const event = buildEnvelope({
        eventId: "e-republish",
        aggregateId: "c-republish",
        occurredAt: new Date(),
        payload: { case: "checkoutFailed", value: create(CheckoutFailedSchema, { checkoutId: "c-republish" }) },
      });
      // The bus parks it after its fifth failure; the relay would retry in between.
      for (let i = 0; i < 5; i++) {
        await checkout.bus
          .publish("checkout-events", [{ key: "flaky-user", value: encodeEnvelope(event) }])
          .catch(() => {});
      }
      await checkout.bus.publish("checkout-events", [{ key: "garbled-user", value: new Uint8Array([0xff]) }]);
      fixed = true;

      const { republished, skipped } = await checkout.client.republishDeadLetters({});
      expect(republished).toMatchObject([
        { consumerGroup: "flaky", eventId: "e-republish", key: "flaky-user", attempts: 5, pending: false },
      ]);
      expect(skipped.map((d) => d.eventId)).toContain("");
      expect(skipped.map((d) => d.key)).toContain("garbled-user");
      expect(handled).toEqual(["e-republish"]);
      const left = await checkout.client.listDeadLetters({ pageSize: 100 });
      expect(left.deadLetters.map((d) => d.eventId)).not.toContain("e-republish");
    } finally {
      await flaky.close();
    }
  });

  it("never returns or stores the payment token in the clear outside its column", async () => {
    const userId = newUser();
    const { checkout: c } = await checkout.client.initiateCheckout(checkoutRequest(userId, "secret"));
    const [row] = await db`select response from idempotency_keys where checkout_id = ${c!.checkoutId}`;
    expect(Buffer.from(row!.response).includes("tok_visa")).toBe(false);
  });

  it("fails a declined payment: stock released, one CheckoutFailed row", async () => {
    const userId = newUser();
    const { checkout: c } = await checkout.client.initiateCheckout(
      checkoutRequest(userId, "declined", { token: "tok_chargeDeclined" }),
    );
    expect(c?.status).toBe(CheckoutStatus.FAILED);
    expect(c?.failure).toMatchObject({ code: "PAYMENT_DECLINED", declineCode: "card_declined" });
    expect(world.callsOf("release", c!.checkoutId)).toHaveLength(1);
    expect(world.callsOf("refund", c!.checkoutId)).toHaveLength(0);
    expect((await outboxOf(c!.checkoutId)).map((r) => r.event_type)).toEqual(["CheckoutFailed"]);
  });

  it("fails out of stock with the short lines, undoing nothing", async () => {
    // A cart line holds at most 99 units, so the shop runs short instead.
    const stocked = world.stock.get("2") ?? 0;
    world.stock.set("2", 3);
    const userId = newUser([{ productId: "2", quantity: 5 }]);
    const { checkout: c } = await checkout.client.initiateCheckout(checkoutRequest(userId, "short"));
    world.stock.set("2", stocked);
    expect(c?.status).toBe(CheckoutStatus.FAILED);
    expect(c?.failure?.code).toBe("OUT_OF_STOCK");
    expect(c?.failure?.shortages).toEqual([expect.objectContaining({ productId: "2", requested: 5, available: 3 })]);
    expect(c?.history.map((t) => t.to)).toEqual([
      CheckoutStatus.INITIATED,
      CheckoutStatus.LINES_CLAIMED,
      CheckoutStatus.POINTS_REDEEMED,
      CheckoutStatus.COMPENSATING,
      CheckoutStatus.FAILED,
    ]);
    expect(world.callsOf("release", c!.checkoutId)).toHaveLength(0);
  });

  it("refunds when the reservation expired after the charge: RESERVATION_LOST", async () => {
    world.faults.confirmReason = "RESERVATION_EXPIRED";
    const userId = newUser();
    const { checkout: c } = await checkout.client.initiateCheckout(checkoutRequest(userId, "expired"));
    expect(c?.status).toBe(CheckoutStatus.FAILED);
    expect(c?.failure?.code).toBe("RESERVATION_LOST");
    expect(world.callsOf("refund", c!.checkoutId)).toHaveLength(1);
    expect(world.payments.get(c!.checkoutId)?.status).toBe(4 /* REFUNDED */);
    expect((await outboxOf(c!.checkoutId)).map((r) => r.event_type)).toEqual(["CheckoutFailed"]);
  });

  it("leaves a compensation that keeps failing COMPENSATING, flagged and listed", async () => {
    world.faults.releaseFails = true;
    const userId = newUser();
    const { checkout: c } = await checkout.client.initiateCheckout(
      checkoutRequest(userId, "stuck", { token: "tok_chargeDeclined" }),
    );
    expect(c?.status).toBe(CheckoutStatus.COMPENSATING);
    expect(c?.needsAttention).toBe(true);
    expect(world.callsOf("release", c!.checkoutId)).toHaveLength(5);
    expect(await outboxOf(c!.checkoutId)).toEqual([]);

    const { checkouts } = await checkout.client.listCheckouts({ needsAttention: true });
    expect(checkouts.map((x) => x.checkoutId)).toContain(c!.checkoutId);
    expect(checkouts.every((x) => x.needsAttention && x.history.length === 0)).toBe(true);
  });

  it("refuses an empty cart and stores nothing", async () => {
    const userId = newUser([]);
    const err = await rpcError(checkout.client.initiateCheckout(checkoutRequest(userId, "empty")));
    expect([err.code, err.reason]).toEqual([Code.FailedPrecondition, "CART_EMPTY"]);
    expect(await db`select 1 from idempotency_keys where user_id = ${userId}`).toHaveLength(0);
    expect(await db`select 1 from checkout_sessions where user_id = ${userId}`).toHaveLength(0);
  });

  it("refuses a product that left the catalog and stores nothing", async () => {
    const userId = newUser([{ productId: "404", quantity: 1 }]);
    const err = await rpcError(checkout.client.initiateCheckout(checkoutRequest(userId, "gone")));
    expect([err.code, err.reason]).toEqual([Code.FailedPrecondition, "PRODUCT_NOT_FOUND"]);
    expect(await db`select 1 from checkout_sessions where user_id = ${userId}`).toHaveLength(0);
  });

  it("validates the request and names the field", async () => {
    const bad = checkoutRequest(newUser(), "bad");
    bad.shippingAddress!.country = "usa";
    const err = await rpcError(checkout.client.initiateCheckout(bad));
    expect([err.code, err.reason, err.detail?.metadata.field, err.detail?.metadata.rule]).toEqual([
      Code.InvalidArgument,
      "INVALID_ARGUMENT",
      "shipping_address.country",
      "string.pattern",
    ]);
  });

  it("refuses step mode while SAGA_STEP_MODE is off", async () => {
    const err = await rpcError(
      checkout.client.initiateCheckout(checkoutRequest(newUser(), "step", { stepMode: true })),
    );
    expect([err.code, err.reason]).toEqual([Code.FailedPrecondition, "STEP_MODE_DISABLED"]);
  });

  describe("idempotency", () => {
    it("replays the stored response for the same key and body; Charge ran once", async () => {
      const userId = newUser();
      const first = await checkout.client.initiateCheckout(checkoutRequest(userId, "again"));
      const second = await checkout.client.initiateCheckout(checkoutRequest(userId, "again"));
      expect(second.replayed).toBe(true);
      expect(second.checkout).toEqual(first.checkout);
      expect(world.callsOf("charge", first.checkout!.checkoutId)).toHaveLength(1);
      expect(await db`select 1 from checkout_sessions where user_id = ${userId}`).toHaveLength(1);
    });

    it("replays the stored response whatever the cart holds now, and while the cart service is down", async () => {
      const userId = newUser();
      const first = await checkout.client.initiateCheckout(checkoutRequest(userId, "later"));
      world.carts.set(userId, [{ productId: "2", quantity: 5 }]);
      const withNewLines = await checkout.client.initiateCheckout(checkoutRequest(userId, "later"));
      world.carts.set(userId, []);
      const withEmptyCart = await checkout.client.initiateCheckout(checkoutRequest(userId, "later"));
      world.faults.cartUnavailable = true;
      try {
        const withCartDown = await checkout.client.initiateCheckout(checkoutRequest(userId, "later"));
        for (const again of [withNewLines, withEmptyCart, withCartDown]) {
          expect(again.replayed).toBe(true);
          expect(again.checkout).toEqual(first.checkout);
        }
      } finally {
        world.faults.cartUnavailable = false;
      }
      expect(world.callsOf("charge", first.checkout!.checkoutId)).toHaveLength(1);
      expect(await db`select 1 from checkout_sessions where user_id = ${userId}`).toHaveLength(1);
    });

    it("refuses the same key with a different body", async () => {
      const userId = newUser();
      await checkout.client.initiateCheckout(checkoutRequest(userId, "reuse"));
      const err = await rpcError(
        checkout.client.initiateCheckout(checkoutRequest(userId, "reuse", { token: "tok_chargeDeclined" })),
      );
      expect([err.code, err.reason]).toEqual([Code.FailedPrecondition, "IDEMPOTENCY_KEY_REUSED"]);
    });

    it("scopes keys to the user", async () => {
      const a = await checkout.client.initiateCheckout(checkoutRequest(newUser(), "shared-key"));
      const b = await checkout.client.initiateCheckout(checkoutRequest(newUser(), "shared-key"));
      expect(b.replayed).toBe(false);
      expect(b.checkout?.checkoutId).not.toBe(a.checkout?.checkoutId);
    });

    it("20 concurrent calls with one key make one checkout and one charge", async () => {
      world.faults.chargeDelayMs = 300;
      const userId = newUser();
      const answers = await Promise.allSettled(
        Array.from({ length: 20 }, () => checkout.client.initiateCheckout(checkoutRequest(userId, "rush"))),
      );
      const sessions = await db<{ id: string }[]>`select id from checkout_sessions where user_id = ${userId}`;
      expect(sessions).toHaveLength(1);
      const id = sessions[0]!.id;
      expect(world.callsOf("charge", id)).toHaveLength(1);
      for (const a of answers) {
        if (a.status === "fulfilled") {
          expect(a.value.checkout?.checkoutId).toBe(id);
        } else {
          expect([ConnectError.from(a.reason).code, errorDetail(a.reason)?.reason]).toEqual([
            Code.Aborted,
            "IDEMPOTENCY_KEY_IN_FLIGHT",
          ]);
        }
      }
      expect(answers.some((a) => a.status === "fulfilled")).toBe(true);
      const final = await checkout.client.initiateCheckout(checkoutRequest(userId, "rush"));
      expect([final.replayed, final.checkout?.status]).toEqual([true, CheckoutStatus.COMPLETED]);
    });
  });

  describe("reads", () => {
    it("hides other users' and malformed ids as CHECKOUT_NOT_FOUND", async () => {
      const userId = newUser();
      const { checkout: c } = await checkout.client.initiateCheckout(checkoutRequest(userId, "mine"));
      for (const req of [
        { checkoutId: c!.checkoutId, userId: "someone-else" },
        { checkoutId: "not-a-uuid", userId },
        { checkoutId: "7d2a1b4e-0000-4000-8000-000000000000", userId },
      ]) {
        const err = await rpcError(checkout.client.getCheckout(req));
        expect([err.code, err.reason]).toEqual([Code.NotFound, "CHECKOUT_NOT_FOUND"]);
      }
    });

    it("lists a user's checkouts newest first, page by page", async () => {
      const userId = newUser();
      const ids: string[] = [];
      for (const key of ["p1", "p2", "p3"]) {
        ids.push((await checkout.client.initiateCheckout(checkoutRequest(userId, key))).checkout!.checkoutId);
      }
      const first = await checkout.client.listCheckouts({ userId, pageSize: 2 });
      expect(first.checkouts.map((c) => c.checkoutId)).toEqual([ids[2], ids[1]]);
      const second = await checkout.client.listCheckouts({ userId, pageSize: 2, pageToken: first.nextPageToken });
      expect(second.checkouts.map((c) => c.checkoutId)).toEqual([ids[0]]);
      expect(second.nextPageToken).toBe("");
      const completed = await checkout.client.listCheckouts({ userId, status: CheckoutStatus.FAILED });
      expect(completed.checkouts).toEqual([]);
      const err = await rpcError(checkout.client.listCheckouts({ pageSize: 101 }));
      expect([err.reason, err.detail?.metadata.field]).toEqual(["INVALID_ARGUMENT", "page_size"]);
    });

    it("refuses AdvanceCheckout on a checkout not in step mode", async () => {
      const { checkout: c } = await checkout.client.initiateCheckout(checkoutRequest(newUser(), "nostep"));
      const err = await rpcError(checkout.client.advanceCheckout({ checkoutId: c!.checkoutId }));
      expect([err.code, err.reason]).toEqual([Code.FailedPrecondition, "NOT_IN_STEP_MODE"]);
    });
  });
});
