import { assertTransition as assertMachineTransition, IllegalTransitionError } from "@checkout-saga/shared";
import { CheckoutStatus as CheckoutStatusMessage } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { describe, expect, it } from "vitest";
import { statusFromMessage, statusToMessage } from "../rpc/checkout-message.js";
import { type CheckoutStatus, checkoutMachine, isFinished } from "./checkout-saga.js";

/** The states the contract names. */
const CHECKOUT_STATUSES: CheckoutStatus[] = [
  "INITIATED",
  "LINES_CLAIMED",
  "POINTS_REDEEMED",
  "INVENTORY_RESERVED",
  "PAYMENT_PENDING",
  "PAYMENT_COMPLETED",
  "COMPLETED",
  "COMPENSATING",
  "FAILED",
];

/** The derived machine's guard, as the saga driver applies it. */
const assertTransition = (from: CheckoutStatus, to: CheckoutStatus, failureCode?: string) =>
  assertMachineTransition(checkoutMachine, from, to, failureCode);

describe("checkout state machine (derived from the saga definition)", () => {
  it("has exactly the contract's states", () => {
    expect(checkoutMachine.states.map((s) => s.name).sort()).toEqual([...CHECKOUT_STATUSES].sort());
  });

  it("is exactly this transition table", () => {
    const table = checkoutMachine.edges.map((e) => `${e.from} → ${e.to}${e.onlyOn ? ` [${e.onlyOn.join()}]` : ""}`);
    expect(table.sort()).toEqual(
      [
        "INITIATED → LINES_CLAIMED",
        "INITIATED → COMPENSATING",
        "LINES_CLAIMED → POINTS_REDEEMED",
        "LINES_CLAIMED → COMPENSATING",
        "POINTS_REDEEMED → INVENTORY_RESERVED",
        "POINTS_REDEEMED → COMPENSATING",
        "INVENTORY_RESERVED → PAYMENT_PENDING",
        "INVENTORY_RESERVED → COMPENSATING",
        "PAYMENT_PENDING → PAYMENT_COMPLETED",
        "PAYMENT_PENDING → COMPENSATING",
        "PAYMENT_COMPLETED → COMPLETED",
        "PAYMENT_COMPLETED → COMPENSATING [RESERVATION_LOST]",
        "COMPENSATING → FAILED",
      ].sort(),
    );
  });

  it("walks the happy path forward", () => {
    const path: CheckoutStatus[] = [
      "INITIATED",
      "LINES_CLAIMED",
      "POINTS_REDEEMED",
      "INVENTORY_RESERVED",
      "PAYMENT_PENDING",
      "PAYMENT_COMPLETED",
      "COMPLETED",
    ];
    for (let i = 1; i < path.length; i++) {
      expect(() => assertTransition(path[i - 1]!, path[i]!)).not.toThrow();
    }
  });

  it.each(["INITIATED", "LINES_CLAIMED", "POINTS_REDEEMED", "INVENTORY_RESERVED", "PAYMENT_PENDING"] as const)(
    "lets %s turn to compensation",
    (from) => {
      expect(() => assertTransition(from, "COMPENSATING", "STEP_FAILED")).not.toThrow();
    },
  );

  it("lets a paid checkout compensate only when completing became impossible", () => {
    expect(() => assertTransition("PAYMENT_COMPLETED", "COMPENSATING", "RESERVATION_LOST")).not.toThrow();
    expect(() => assertTransition("PAYMENT_COMPLETED", "COMPENSATING", "STEP_FAILED")).toThrow(IllegalTransitionError);
    expect(() => assertTransition("PAYMENT_COMPLETED", "COMPENSATING")).toThrow(IllegalTransitionError);
  });

  it("ends compensation only in FAILED", () => {
    expect(() => assertTransition("COMPENSATING", "FAILED")).not.toThrow();
    expect(() => assertTransition("COMPENSATING", "COMPLETED")).toThrow(IllegalTransitionError);
    expect(() => assertTransition("COMPENSATING", "INITIATED")).toThrow(IllegalTransitionError);
  });

  it.each([
    ["INITIATED", "PAYMENT_PENDING"],
    ["INITIATED", "INVENTORY_RESERVED"],
    ["LINES_CLAIMED", "INVENTORY_RESERVED"],
    ["INITIATED", "COMPLETED"],
    ["INVENTORY_RESERVED", "PAYMENT_COMPLETED"],
    ["PAYMENT_PENDING", "COMPLETED"],
    ["PAYMENT_COMPLETED", "FAILED"],
    ["INITIATED", "FAILED"],
    ["PAYMENT_PENDING", "INVENTORY_RESERVED"],
  ] as const)("refuses %s → %s", (from, to) => {
    expect(() => assertTransition(from, to)).toThrow(/illegal checkout transition/);
  });

  it("never leaves a final state", () => {
    for (const to of CHECKOUT_STATUSES) {
      expect(() => assertTransition("COMPLETED", to)).toThrow(IllegalTransitionError);
      expect(() => assertTransition("FAILED", to)).toThrow(IllegalTransitionError);
    }
    expect(CHECKOUT_STATUSES.filter(isFinished)).toEqual(["COMPLETED", "FAILED"]);
  });
});

describe("checkout states on the wire", () => {
  it("every state of the definition has a CheckoutStatus value of its name in checkout.proto", () => {
    for (const { name } of checkoutMachine.states) {
      const value = statusToMessage(name);
      expect([name, value]).not.toEqual([name, CheckoutStatusMessage.UNSPECIFIED]);
      expect(statusFromMessage(value)).toBe(name);
    }
  });
});
