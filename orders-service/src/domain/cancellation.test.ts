import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import {
  type CancellableOrder,
  normalizeRequest,
  planCancellation,
  recordCancellation,
  requestFingerprint,
  unitsInFlight,
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
    ...overrides,
  };
}

const none = new Map<string, number>();

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
    const running = unitsInFlight([{ lines: [{ productId: "2", quantity: 1 }] }]);
    const refused = refusal(() =>
      planCancellation(order, running, { orderId: "order-1", lines: [{ productId: "2", quantity: 2 }], reason: "" }),
    );
    expect(refused).toMatchObject({ kind: "failed_precondition", reason: "CANCEL_EXCEEDS_ORDER" });
    expect(refused.message).toContain("product 2: 2 asked, 1 left");
    expect(refused.lines).toEqual([{ productId: "2", requested: 2, available: 1 }]);
    // The one unit left is still cancellable.
    expect(
      planCancellation(order, running, { orderId: "order-1", lines: [{ productId: "2", quantity: 1 }], reason: "" })
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
    const running = unitsInFlight([{ lines: [{ productId: "2", quantity: 2 }] }]);
    expect(refusal(() => planCancellation(order, running, { orderId: "order-1", reason: "" })).reason).toBe(
      "ORDER_NOT_CANCELLABLE",
    );
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
