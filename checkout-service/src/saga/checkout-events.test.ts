import { checkoutTotals, decodeEnvelope, fromTotalsProto, money } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import type { CheckoutRecord } from "../domain/checkout-session.js";
import { checkoutEndedEvent } from "./checkout-events.js";

const yen = (n: number) => money("JPY", n);

describe("CheckoutCompleted", () => {
  it("carries the checkout's totals, with the tax per rate, for the order to keep", () => {
    const totals = checkoutTotals(
      [
        { amount: yen(189800), taxClass: "standard" },
        { amount: yen(4860), taxClass: "reduced" },
      ],
      "JPY",
    );
    const session: CheckoutRecord = {
      id: "c-1",
      userId: "hanako",
      status: "COMPLETED",
      total: totals.total,
      totals,
      items: [
        { productId: "1", name: "Laptop", quantity: 1, unitPriceMinor: 189800 },
        { productId: "6", name: "Matcha", quantity: 3, unitPriceMinor: 1620 },
      ],
      shippingAddress: {
        name: "Hanako",
        phone: "+81-3-0000-0000",
        postalCode: "100-0001",
        region: "Tokyo",
        city: "Chiyoda",
        line1: "1-1",
        line2: "",
        country: "JP",
      },
      paymentMethod: { type: "card", token: "tok_visa" },
      paymentId: "pay-1",
      reservationId: "res-1",
      stepMode: false,
      needsAttention: false,
      compensationAttempts: 0,
      createdAt: new Date(),
      updatedAt: new Date(),
      history: [],
    };
    const event = decodeEnvelope(checkoutEndedEvent(session, new Date()).payload);
    expect(event.payload.case).toBe("checkoutCompleted");
    const completed = event.payload.case === "checkoutCompleted" ? event.payload.value : undefined;
    expect(completed?.totals && fromTotalsProto(completed.totals)).toEqual(totals);
    expect(totals.tax?.lines.map((l) => [l.ratePercent, l.tax.amountMinor])).toEqual([
      [10, 17254],
      [8, 360],
    ]);
  });
});
