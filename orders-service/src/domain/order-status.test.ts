import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import type { OrderStatus } from "./order.js";
import { canTransition, needsTransition } from "./order-status.js";

const all: OrderStatus[] = ["CONFIRMED", "SHIPPED", "DELIVERED", "CANCELLED"];
const allowed = new Set(["CONFIRMED>SHIPPED", "SHIPPED>DELIVERED", "CONFIRMED>CANCELLED"]);

describe("order status transitions", () => {
  it.each(all.flatMap((from) => all.map((to) => [from, to] as const)))("%s → %s", (from, to) => {
    expect(canTransition(from, to)).toBe(allowed.has(`${from}>${to}`));
  });

  it("needs a change only for an allowed move", () => {
    expect(needsTransition("o1", "CONFIRMED", "SHIPPED")).toBe(true);
    expect(needsTransition("o1", "SHIPPED", "DELIVERED")).toBe(true);
    expect(needsTransition("o1", "CONFIRMED", "CANCELLED")).toBe(true);
  });

  it("treats a move to the current status as a no-op, so a retried update succeeds", () => {
    for (const s of all) expect(needsTransition("o1", s, s)).toBe(false);
  });

  it.each([
    ["SHIPPED", "CANCELLED"],
    ["DELIVERED", "SHIPPED"],
    ["CANCELLED", "CONFIRMED"],
    ["CONFIRMED", "DELIVERED"],
  ] as const)("refuses %s → %s with INVALID_ORDER_TRANSITION", (from, to) => {
    let caught: unknown;
    try {
      needsTransition("o1", from, to);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect(caught).toMatchObject({
      kind: "failed_precondition",
      reason: "INVALID_ORDER_TRANSITION",
      context: { metadata: { order_id: "o1", from, to } },
    });
  });
});
