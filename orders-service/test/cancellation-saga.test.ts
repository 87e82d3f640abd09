import { errorDetail } from "@checkout-saga/shared";
import { OrderStatus } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CANCELLATION } from "../src/config.js";
import { startCancellationDownstream } from "./cancellation-downstream.js";
import { checkoutCompleted, publish, startTestOrders } from "./orders-fixture.js";

/**
 * The cancellation saga on real servers: orders-service on PostgreSQL, refunding and returning
 * points through the real payment service (whose points consumer shares the orders' bus) and
 * returning stock to the real inventory service.
 */
let downstream: Awaited<ReturnType<typeof startCancellationDownstream>>;
let t: Awaited<ReturnType<typeof startTestOrders>>;

beforeAll(async () => {
  downstream = await startCancellationDownstream();
  // One bus, as in embedded mode: the payment service earns and takes back points from it.
  t = await startTestOrders(
    {
      paymentUrl: downstream.urls.payment,
      inventoryUrl: downstream.urls.inventory,
      cancellation: { ...DEFAULT_CANCELLATION, recoveryIntervalMs: 200, recoveryGraceMs: 0, stepDeadlineMs: 2_000 },
    },
    { bus: downstream.bus },
  );
}, 120_000);

afterAll(async () => {
  await t?.service.stop();
  await downstream?.stop();
});

const laptop = { productId: "1", name: "Laptop", quantity: 1, unitPriceMinor: 129999 };
const mice = { productId: "2", name: "Mouse", quantity: 2, unitPriceMinor: 2999 };

/** A laptop and two mice bought for `userId`: charged, sold, and placed as an order. */
async function buyTwoItems(userId: string) {
  const { checkoutId, paymentId } = await downstream.purchase([laptop, mice]);
  await publish(t.bus, checkoutCompleted({ checkoutId, userId, paymentId, lines: [laptop, mice] }));
  const { orders } = await t.client.listOrders({ userId, checkoutId });
  const order = orders[0];
  if (!order) throw new Error(`no order for checkout ${checkoutId}`);
  return { order, paymentId };
}

async function refusal(call: Promise<unknown>) {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectError);
  return { code: (err as ConnectError).code, reason: errorDetail(err)?.reason, message: (err as Error).message };
}

const eventsOf = (orderId: string) => t.orderEvents.filter((e) => e.aggregateId === orderId);

/** Waits until the relay has published what `done` looks for (or what consuming it changed). */
async function published<T>(read: () => T | Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  return read();
}

describe("cancelling an order on real servers", () => {
  it("cancels one line (refund = that line, stock back, recorded), then the rest (CANCELLED)", async () => {
    const { order, paymentId } = await buyTwoItems("alice");
    const miceBefore = await downstream.availableOf("2");

    const first = await t.client.cancelOrder({
      orderId: order.id,
      userId: "alice",
      idempotencyKey: "cancel-mice",
      lines: [{ productId: "2", quantity: 2 }],
      reason: "changed my mind",
    });
    expect(first.replayed).toBe(false);
    expect(first.cancellation).toMatchObject({ status: "COMPLETED", refund: { currency: "USD", amountMinor: 5998n } });
    expect(first.cancellation?.lines.map((l) => [l.productId, l.quantity])).toEqual([["2", 2]]);

    const payment = await downstream.paymentOf(paymentId);
    expect(payment.refunded?.amountMinor).toBe(5998n);
    expect(payment.refunds.map((r) => r.refundKey)).toEqual([first.cancellation?.cancellationId]);
    expect(await downstream.availableOf("2")).toBe(miceBefore + 2);

    const { order: partly } = await t.client.getOrder({ orderId: order.id, userId: "alice" });
    expect(partly?.status).toBe(OrderStatus.CONFIRMED);
    expect(partly?.items.map((i) => [i.productId, i.cancelledQuantity])).toEqual([
      ["1", 0],
      ["2", 2],
    ]);
    expect(partly?.cancellations.map((c) => [c.cancellationId, c.status])).toEqual([
      [first.cancellation?.cancellationId, "COMPLETED"],
    ]);
    const afterFirst = await published(
      () => eventsOf(order.id),
      (events) => events.some((e) => e.case === "orderCancelled"),
    );
    expect(afterFirst.map((e) => e.case)).toEqual(["orderStatusChanged", "orderCancelled"]);
    expect(afterFirst[1]?.value).toMatchObject({ orderStatus: "CONFIRMED", refund: { amountMinor: 5998n } });

    // The same key and request: the first answer again, nothing done twice.
    const again = await t.client.cancelOrder({
      orderId: order.id,
      userId: "alice",
      idempotencyKey: "cancel-mice",
      lines: [{ productId: "2", quantity: 2 }],
      reason: "changed my mind",
    });
    expect(again.replayed).toBe(true);
    expect(again.cancellation).toEqual(first.cancellation);
    expect(
      await refusal(t.client.cancelOrder({ orderId: order.id, userId: "alice", idempotencyKey: "cancel-mice" })),
    ).toMatchObject({ code: Code.FailedPrecondition, reason: "IDEMPOTENCY_KEY_REUSED" });
    expect((await downstream.paymentOf(paymentId)).refunds).toHaveLength(1);

    // No lines: everything left, which is the laptop.
    const rest = await t.client.cancelOrder({ orderId: order.id, userId: "alice", idempotencyKey: "cancel-rest" });
    expect(rest.cancellation).toMatchObject({ status: "COMPLETED", refund: { amountMinor: 129999n } });
    expect((await downstream.paymentOf(paymentId)).refunded?.amountMinor).toBe(129999n + 5998n);

    const { order: cancelled } = await t.client.getOrder({ orderId: order.id, userId: "alice" });
    expect(cancelled?.status).toBe(OrderStatus.CANCELLED);
    expect(cancelled?.statusHistory.map((h) => [OrderStatus[h.to], h.reason])).toEqual([
      ["CONFIRMED", "checkout completed"],
      ["CANCELLED", "every line cancelled"],
    ]);
    expect(cancelled?.cancellations).toHaveLength(2);
    const all = await published(
      () => eventsOf(order.id),
      (events) => events.length >= 4,
    );
    expect(all.map((e) => e.case)).toEqual([
      "orderStatusChanged",
      "orderCancelled",
      "orderStatusChanged",
      "orderCancelled",
    ]);
    expect(all[2]?.value).toMatchObject({ from: "CONFIRMED", to: "CANCELLED" });
    expect(all[3]?.value).toMatchObject({ orderStatus: "CANCELLED" });

    expect(
      await refusal(t.client.cancelOrder({ orderId: order.id, userId: "alice", idempotencyKey: "cancel-again" })),
    ).toMatchObject({ code: Code.FailedPrecondition, reason: "ORDER_NOT_CANCELLABLE" });
  });

  it("refuses more units than a line has left, naming the product", async () => {
    const { order } = await buyTwoItems("bob");
    const refused = await refusal(
      t.client.cancelOrder({
        orderId: order.id,
        userId: "bob",
        idempotencyKey: "too-many",
        lines: [{ productId: "2", quantity: 3 }],
      }),
    );
    expect(refused).toMatchObject({ code: Code.FailedPrecondition, reason: "CANCEL_EXCEEDS_ORDER" });
    expect(refused.message).toContain("product 2: 3 asked, 2 left");
  });

  it("never over-cancels when cancellations of one order race", async () => {
    const { order, paymentId } = await buyTwoItems("erin");
    const attempts = await Promise.allSettled(
      ["a", "b", "c"].map((key) =>
        t.client.cancelOrder({
          orderId: order.id,
          userId: "erin",
          idempotencyKey: key,
          lines: [{ productId: "2", quantity: 2 }],
        }),
      ),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    expect((await downstream.paymentOf(paymentId)).refunded?.amountMinor).toBe(5998n);
  });

  it("refuses a SHIPPED order, and another user's order is not found", async () => {
    const { order } = await buyTwoItems("carol");
    expect(
      await refusal(t.client.cancelOrder({ orderId: order.id, userId: "dave", idempotencyKey: "not-mine" })),
    ).toMatchObject({ code: Code.NotFound, reason: "ORDER_NOT_FOUND" });
    await t.client.shipOrder({ orderId: order.id });
    expect(
      await refusal(t.client.cancelOrder({ orderId: order.id, userId: "carol", idempotencyKey: "too-late" })),
    ).toMatchObject({ code: Code.FailedPrecondition, reason: "ORDER_NOT_CANCELLABLE" });
  });

  it("gives an order paid partly in points back its money share and its points, to the lot they came from", async () => {
    // Grace holds a lot of 2,000 points, earned as the ledger earns (a ¥200,000 CheckoutCompleted).
    const earning = await downstream.earnPoints("grace", 200_000);
    const [lot] = (await downstream.pointsOf("grace")).lots;
    expect([lot?.checkoutId, lot?.points]).toEqual([earning, 2000n]);

    // ¥8,960 of mice, 1,000 of it in points redeemed through the ledger: ¥7,960 charged, which
    // earns 79 points of its own once the CheckoutCompleted reaches the ledger.
    const yenMice = { productId: "2", name: "Mouse", quantity: 2, unitPriceMinor: 4480 };
    const { checkoutId, paymentId } = await downstream.purchase([yenMice], "JPY", { userId: "grace", points: 1000 });
    await publish(
      t.bus,
      checkoutCompleted({
        checkoutId,
        userId: "grace",
        paymentId,
        currency: "JPY",
        lines: [yenMice],
        pointsRedeemed: 1000,
      }),
    );
    const lotsOf = async () =>
      (await downstream.pointsOf("grace")).lots.map((l) => [l.checkoutId, l.points, l.expiresAt?.seconds]);
    expect(await lotsOf()).toEqual([
      [earning, 1000n, lot?.expiresAt?.seconds],
      [checkoutId, 79n, expect.any(BigInt)],
    ]);
    const { orders } = await t.client.listOrders({ userId: "grace", checkoutId });
    const orderId = orders[0]?.id ?? "";

    // One mouse: ¥3,980 back in money and 500 points back to the lot they came from, with its
    // expiry; the OrderCancelled takes back floor(79·3,980/7,960) = 39 of the points earned.
    const first = await t.client.cancelOrder({
      orderId,
      userId: "grace",
      idempotencyKey: "one-mouse",
      lines: [{ productId: "2", quantity: 1 }],
    });
    expect(first.cancellation).toMatchObject({
      status: "COMPLETED",
      refund: { currency: "JPY", amountMinor: 3980n },
      pointsReturned: 500n,
    });
    expect((await downstream.paymentOf(paymentId)).refunded?.amountMinor).toBe(3980n);
    expect(
      await published(lotsOf, (lots) => lots[1]?.[1] === 40n),
      "the OrderCancelled took back its share of the earning",
    ).toEqual([
      [earning, 1500n, lot?.expiresAt?.seconds],
      [checkoutId, 40n, expect.any(BigInt)],
    ]);

    // The other mouse, the order's last line: the rest of the money (the refunds add up to what
    // was charged), the rest of the points, and every point the order earned taken back.
    const rest = await t.client.cancelOrder({ orderId, userId: "grace", idempotencyKey: "other-mouse" });
    expect(rest.cancellation).toMatchObject({
      status: "COMPLETED",
      refund: { amountMinor: 3980n },
      pointsReturned: 500n,
    });
    const payment = await downstream.paymentOf(paymentId);
    expect(payment.refunded?.amountMinor).toBe(payment.amount?.amountMinor);
    expect(payment.refunded?.amountMinor).toBe(7960n);
    expect(payment.refunds.map((r) => r.refundKey)).toEqual([
      first.cancellation?.cancellationId,
      rest.cancellation?.cancellationId,
    ]);
    expect(await published(lotsOf, (lots) => lots.length === 1)).toEqual([[earning, 2000n, lot?.expiresAt?.seconds]]);
    const account = await downstream.pointsOf("grace");
    expect(account.balance).toBe(2000n);
    expect(account.history.map((e) => [e.reason, e.delta, e.checkoutId, e.orderId])).toEqual([
      ["taken_back", -40n, checkoutId, orderId],
      ["returned", 500n, checkoutId, orderId],
      ["taken_back", -39n, checkoutId, orderId],
      ["returned", 500n, checkoutId, orderId],
      ["earned", 79n, checkoutId, ""],
      ["redeemed", -1000n, checkoutId, ""],
      ["earned", 2000n, earning, ""],
    ]);
    const { order } = await t.client.getOrder({ orderId, userId: "grace" });
    expect(order?.status).toBe(OrderStatus.CANCELLED);
  });

  it("fails a cancellation whose refund is refused, taking nothing back", async () => {
    // An order whose payment the payment service never took: the refund is refused.
    const event = checkoutCompleted({ userId: "frank" });
    await publish(t.bus, event);
    const { orders } = await t.client.listOrders({ userId: "frank", checkoutId: event.aggregateId });
    const res = await t.client.cancelOrder({ orderId: orders[0]?.id ?? "", userId: "frank", idempotencyKey: "k" });
    expect(res.cancellation?.status).toBe("FAILED");
    const { order } = await t.client.getOrder({ orderId: orders[0]?.id ?? "" });
    expect(order?.status).toBe(OrderStatus.CONFIRMED);
    expect(order?.items.every((i) => i.cancelledQuantity === 0)).toBe(true);
  });
});
