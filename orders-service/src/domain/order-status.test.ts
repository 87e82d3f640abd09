import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import type { OrderStatus } from "./order.js";
import { canTransition, type OrderMove, planMove } from "./order-status.js";

const all: OrderStatus[] = ["CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"];
const allowed = new Set(["CONFIRMED>SHIPPED", "SHIPPED>DELIVERED", "CONFIRMED>CANCELLED"]);
const admin = { actor: "user:ops" };

function refusal(status: OrderStatus, move: OrderMove): unknown {
  try {
    planMove({ id: "o1", status }, move, admin);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("order status transitions", () => {
  it.each(all.flatMap((from) => all.map((to) => [from, to] as const)))("%s → %s", (from, to) => {
    expect(canTransition(from, to)).toBe(allowed.has(`${from}>${to}`));
  });

  it("ships a confirmed order and delivers a shipped one, with the caller's reason and who", () => {
    expect(planMove({ id: "o1", status: "CONFIRMED" }, "ship", { actor: "user:ops", reason: "DHL 123" })).toEqual({
      from: "CONFIRMED",
      to: "SHIPPED",
      reason: "DHL 123",
      actor: "user:ops",
    });
    expect(planMove({ id: "o1", status: "SHIPPED" }, "deliver", admin)).toEqual({
      from: "SHIPPED",
      to: "DELIVERED",
      reason: "delivered",
      actor: "user:ops",
    });
  });

  it("cancels only a confirmed order", () => {
    expect(planMove({ id: "o1", status: "CONFIRMED" }, "cancel", admin)?.to).toBe("CANCELLED");
    expect(refusal("SHIPPED", "cancel")).toMatchObject({ reason: "ORDER_NOT_CANCELLABLE" });
  });

  it("gives a default reason for a blank one", () => {
    expect(planMove({ id: "o1", status: "CONFIRMED" }, "ship", { ...admin, reason: "  " })?.reason).toBe("shipped");
  });

  it("treats a move to where the order already is as a no-op, so a retried call succeeds", () => {
    expect(planMove({ id: "o1", status: "SHIPPED" }, "ship", admin)).toBeUndefined();
    expect(planMove({ id: "o1", status: "DELIVERED" }, "deliver", admin)).toBeUndefined();
    expect(planMove({ id: "o1", status: "CANCELLED" }, "cancel", admin)).toBeUndefined();
  });

  it.each([
    ["DELIVERED", "ship", "ORDER_NOT_SHIPPABLE"],
    ["CANCELLED", "ship", "ORDER_NOT_SHIPPABLE"],
    ["CONFIRMED", "deliver", "ORDER_NOT_DELIVERABLE"],
    ["CANCELLED", "deliver", "ORDER_NOT_DELIVERABLE"],
    ["DELIVERED", "cancel", "ORDER_NOT_CANCELLABLE"],
  ] as const)("refuses to %2$s a %1$s order with %3$s", (status, move, reason) => {
    const err = refusal(status, move);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({
      kind: "failed_precondition",
      reason,
      context: { metadata: { order_id: "o1", order_status: status } },
    });
  });
});
