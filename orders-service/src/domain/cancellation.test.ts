import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import {
  type CancellableOrder,
  type EarlierCancellation,
  normalizeRequest,
  planCancellation,
  recordCancellation,
  requestFingerprint,
  splitRefund,
} from "./cancellation.js";
import type { PlacedOrderLine } from "./order.js";

const usd = (amountMinor: number) => ({ currency: "USD", amountMinor });

function line(productId: string, quantity: number, unit: number, cancelledQuantity = 0): PlacedOrderLine {
  return { productId, name: `product ${productId}`, quantity, cancelledQuantity, unitPrice: usd(unit) };
}

function buildOrder(overrides: Partial<CancellableOrder> = {}): CancellableOrder {
  return {
    id: "order-1",
    status: "CONFIRMED",
    currency: "USD",
    lines: [line("1", 1, 129999), line("2", 2, 2999)],
    totals: { subtotal: usd(129999 + 2 * 2999), total: usd(129999 + 2 * 2999) },
    ...overrides,
  };
}

const none: EarlierCancellation[] = [];

/** A running cancellation of `quantity` units of product `productId` at `unit` each, refunding them in full. */
function running(productId: string, quantity: number, unit = 2999): EarlierCancellation {
  return {
    lines: [{ productId, name: `product ${productId}`, quantity, unitPrice: usd(unit) }],
    refund: quantity * unit,
    running: true,
  };
}

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    const e = err as DomainError;
    return { kind: e.kind, reason: e.reason, message: e.message, lines: e.context.lines };
  }
  throw new Error("expected a refusal");
}

describe("planCancellation", () => {
  it("takes every unit left and refunds their bought price when no lines are given", () => {
    const plan = planCancellation(buildOrder(), none, { orderId: "order-1", reason: "" });
    expect(plan.lines.map((l) => [l.productId, l.quantity])).toEqual([
      ["1", 1],
      ["2", 2],
    ]);
    expect(plan.refund).toEqual(usd(129999 + 2 * 2999));
    expect(plan.pointsReturned).toBe(0);
  });

  it("refunds exactly the named units: unit price × quantity", () => {
    const plan = planCancellation(buildOrder(), none, {
      orderId: "order-1",
      lines: [{ productId: "2", quantity: 1 }],
      reason: "",
    });
    expect(plan.lines).toEqual([{ productId: "2", name: "product 2", quantity: 1, unitPrice: usd(2999) }]);
    expect(plan.refund).toEqual(usd(2999));
  });

  it("adds up request lines naming one product twice", () => {
    const plan = planCancellation(buildOrder(), none, {
      orderId: "order-1",
      lines: [
        { productId: "2", quantity: 1 },
        { productId: "2", quantity: 1 },
      ],
      reason: "",
    });
    expect(plan.refund).toEqual(usd(2 * 2999));
  });

  it.each(["SHIPPED", "DELIVERED", "CANCELLED"] as const)("refuses a %s order as not cancellable", (status) => {
    expect(
      refusal(() => planCancellation(buildOrder({ status }), none, { orderId: "order-1", reason: "" })),
    ).toMatchObject({
      kind: "failed_precondition",
      reason: "ORDER_NOT_CANCELLABLE",
    });
  });

  it("never cancels beyond what is left: bought − cancelled − running cancellations", () => {
    const order = buildOrder({ lines: [line("1", 1, 129999), line("2", 3, 2999, 1)] });
    const earlier = [running("2", 1)];
    const refused = refusal(() =>
      planCancellation(order, earlier, { orderId: "order-1", lines: [{ productId: "2", quantity: 2 }], reason: "" }),
    );
    expect(refused).toMatchObject({ kind: "failed_precondition", reason: "CANCEL_EXCEEDS_ORDER" });
    expect(refused.message).toContain("product 2: 2 asked, 1 left");
    expect(refused.lines).toEqual([{ productId: "2", requested: 2, available: 1 }]);
    // The one unit left is still cancellable.
    expect(
      planCancellation(order, earlier, { orderId: "order-1", lines: [{ productId: "2", quantity: 1 }], reason: "" })
        .refund,
    ).toEqual(usd(2999));
  });

  it("refuses a product the order does not have, naming it", () => {
    expect(
      refusal(() =>
        planCancellation(buildOrder(), none, {
          orderId: "order-1",
          lines: [{ productId: "9", quantity: 1 }],
          reason: "",
        }),
      ).lines,
    ).toEqual([{ productId: "9", requested: 1, available: 0 }]);
  });

  it("refuses a whole-order cancellation when every unit is cancelled or being cancelled", () => {
    const order = buildOrder({ lines: [line("1", 1, 129999, 1), line("2", 2, 2999)] });
    expect(refusal(() => planCancellation(order, [running("2", 2)], { orderId: "order-1", reason: "" })).reason).toBe(
      "ORDER_NOT_CANCELLABLE",
    );
  });
});

describe("splitRefund", () => {
  it("refunds the lines' value in money and returns no points for an order paid without points", () => {
    expect(splitRefund({ subtotal: 5000, charged: 5000 }, { value: 1234, refunded: 1234 }, 999)).toEqual({
      refund: 999,
      points: 0,
    });
    expect(splitRefund({ subtotal: 0, charged: 0 }, { value: 0, refunded: 0 }, 0)).toEqual({ refund: 0, points: 0 });
  });

  it("splits by the cumulative formula: floor(T·Vc/S) − floor(T·Vp/S) in money, the rest in points", () => {
    // S = 3000, T = 2000 (P = 1000); Vp = 1000 already refunded floor(2000·1000/3000) = 666.
    expect(splitRefund({ subtotal: 3000, charged: 2000 }, { value: 1000, refunded: 666 }, 1000)).toEqual({
      refund: 1333 - 666,
      points: 1000 - 667,
    });
  });

  it("never refunds more than the lines' value, nor less than nothing", () => {
    // An earlier cancellation failed after a later one counted it: what was refunded is off by a yen.
    expect(splitRefund({ subtotal: 3, charged: 2 }, { value: 1, refunded: 0 }, 1)).toEqual({ refund: 1, points: 0 });
    expect(splitRefund({ subtotal: 3, charged: 1 }, { value: 1, refunded: 1 }, 1)).toEqual({ refund: 0, points: 1 });
  });

  it("stays exact for yen orders where T·V passes 2^53", () => {
    const subtotal = 9_000_000_000_000;
    expect(splitRefund({ subtotal, charged: subtotal - 1 }, { value: 0, refunded: 0 }, subtotal)).toEqual({
      refund: subtotal - 1,
      points: 1,
    });
  });
});

describe("planCancellation of an order paid partly in points", () => {
  const yen = (amountMinor: number) => ({ currency: "JPY", amountMinor });
  const yenLine = (productId: string, quantity: number, unit: number): PlacedOrderLine => ({
    productId,
    name: `product ${productId}`,
    quantity,
    cancelledQuantity: 0,
    unitPrice: yen(unit),
  });

  it("gives back, over three partial cancellations, exactly the money charged and the points redeemed", () => {
    // S = ¥3,500, paid ¥2,499 and 1,001 points: no cancellation divides evenly.
    let order: CancellableOrder = {
      id: "order-1",
      status: "CONFIRMED",
      currency: "JPY",
      lines: [yenLine("1", 3, 1000), yenLine("2", 1, 500)],
      totals: { subtotal: yen(3500), total: yen(2499) },
    };
    const earlier: EarlierCancellation[] = [];
    const points: number[] = [];
    for (const lines of [[{ productId: "1", quantity: 1 }], [{ productId: "2", quantity: 1 }], undefined]) {
      const plan = planCancellation(order, earlier, { orderId: "order-1", lines, reason: "" });
      const value = plan.lines.reduce((sum, l) => sum + l.unitPrice.amountMinor * l.quantity, 0);
      expect(plan.refund.amountMinor + plan.pointsReturned).toBe(value);
      points.push(plan.pointsReturned);
      earlier.push({ lines: plan.lines, refund: plan.refund.amountMinor, running: false });
      order = { ...order, lines: recordCancellation(order, plan.lines, { actor: "user:alice", reason: "" }).lines };
    }
    // floor(2499·1000/3500) = 714, floor(2499·1500/3500) = 1071, then the rest of 2499.
    expect(earlier.map((c) => c.refund)).toEqual([714, 357, 1428]);
    expect(points).toEqual([286, 143, 572]);
    expect(earlier.reduce((sum, c) => sum + c.refund, 0)).toBe(2499);
    expect(points.reduce((sum, p) => sum + p, 0)).toBe(1001);
  });

  it("counts running cancellations as taken back when it splits a new one", () => {
    const order: CancellableOrder = {
      id: "order-1",
      status: "CONFIRMED",
      currency: "JPY",
      lines: [yenLine("1", 2, 1000)],
      totals: { subtotal: yen(2000), total: yen(1001) },
    };
    const first = planCancellation(order, [], {
      orderId: "order-1",
      lines: [{ productId: "1", quantity: 1 }],
      reason: "",
    });
    const second = planCancellation(order, [{ lines: first.lines, refund: first.refund.amountMinor, running: true }], {
      orderId: "order-1",
      reason: "",
    });
    expect([first.refund.amountMinor, first.pointsReturned]).toEqual([500, 500]);
    expect([second.refund.amountMinor, second.pointsReturned]).toEqual([501, 499]);
  });
});

describe("recordCancellation", () => {
  const by = { actor: "user:alice", reason: "changed my mind" };

  it("adds the cancelled units and leaves the order CONFIRMED while units remain", () => {
    const recorded = recordCancellation(
      { id: "order-1", status: "CONFIRMED", lines: [line("1", 1, 129999), line("2", 2, 2999)] },
      [{ productId: "2", name: "product 2", quantity: 1, unitPrice: usd(2999) }],
      by,
    );
    expect(recorded.lines.map((l) => l.cancelledQuantity)).toEqual([0, 1]);
    expect(recorded.statusChange).toBeUndefined();
  });

  it("moves the order to CANCELLED once every unit is cancelled", () => {
    const recorded = recordCancellation(
      { id: "order-1", status: "CONFIRMED", lines: [line("1", 1, 129999), line("2", 2, 2999, 1)] },
      [
        { productId: "1", name: "product 1", quantity: 1, unitPrice: usd(129999) },
        { productId: "2", name: "product 2", quantity: 1, unitPrice: usd(2999) },
      ],
      by,
    );
    expect(recorded.lines.map((l) => l.cancelledQuantity)).toEqual([1, 2]);
    expect(recorded.statusChange).toEqual({
      from: "CONFIRMED",
      to: "CANCELLED",
      reason: "changed my mind",
      actor: "user:alice",
    });
  });
});

describe("requestFingerprint", () => {
  it("is the same for the same request however its lines are written, different otherwise", () => {
    const a = {
      orderId: "o",
      lines: [
        { productId: "2", quantity: 1 },
        { productId: "1", quantity: 1 },
      ],
      reason: " x ",
    };
    const b = {
      orderId: "o",
      lines: [
        { productId: "1", quantity: 1 },
        { productId: "2", quantity: 1 },
      ],
      reason: "x",
    };
    expect(requestFingerprint(a)).toBe(requestFingerprint(b));
    expect(requestFingerprint({ ...b, lines: [{ productId: "1", quantity: 2 }] })).not.toBe(requestFingerprint(b));
    expect(requestFingerprint({ orderId: "o", reason: "x" })).not.toBe(requestFingerprint(b));
    expect(normalizeRequest({ orderId: "o", lines: [], reason: "" }).lines).toBeUndefined();
  });
});
