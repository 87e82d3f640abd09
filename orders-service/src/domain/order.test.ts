import { describe, expect, it } from "vitest";
import { draftOrder, type OrderDraft } from "./order.js";

function buildDraft(overrides: Partial<OrderDraft> = {}): OrderDraft {
  return {
    checkoutId: "chk-1",
    userId: "alice",
    total: { currency: "USD", amountMinor: 2999 * 2 },
    lines: [{ productId: "2", name: "Mouse", quantity: 2, unitPrice: { currency: "USD", amountMinor: 2999 } }],
    shippingAddress: {
      name: "Alice",
      phone: "+1 555 0100",
      postalCode: "94105",
      region: "CA",
      city: "San Francisco",
      line1: "1 Market St",
      line2: "",
      country: "US",
    },
    paymentId: "pay-1",
    sourceEventId: "evt-1",
    ...overrides,
  };
}

describe("draftOrder", () => {
  it("accepts a well-formed checkout", () => {
    const draft = buildDraft();
    // An event without totals (a checkout from before they existed): the total alone, no tax breakdown.
    expect(draftOrder(draft)).toEqual({
      ...draft,
      totals: {
        subtotal: draft.total,
        pointsRedeemed: { ...draft.total, amountMinor: 0 },
        total: draft.total,
        tax: null,
      },
    });
  });

  it("keeps the checkout's totals with the tax per rate, and refuses totals that are not the total", () => {
    const yen = (amountMinor: number) => ({ currency: "JPY", amountMinor });
    const totals = {
      subtotal: yen(6480),
      pointsRedeemed: yen(0),
      total: yen(6480),
      tax: { included: true as const, lines: [{ ratePercent: 8, taxable: yen(6480), tax: yen(480) }] },
    };
    const lines = [{ productId: "6", name: "Matcha", quantity: 4, unitPrice: yen(1620) }];
    expect(draftOrder(buildDraft({ total: yen(6480), totals, lines })).totals).toEqual(totals);
    expect(() => draftOrder(buildDraft({ total: yen(6000), totals, lines }))).toThrow(/is not the total/);
  });

  it.each<[string, Partial<OrderDraft>, RegExp]>([
    ["no checkout id", { checkoutId: "" }, /checkout_id/],
    ["no user", { userId: "" }, /user_id/],
    ["no lines", { lines: [] }, /at least one line/],
    ["a zero quantity", { lines: [{ ...buildDraft().lines[0]!, quantity: 0 }] }, /quantity/],
    ["a fractional total", { total: { currency: "USD", amountMinor: 1.5 } }, /total/],
    ["a negative total", { total: { currency: "USD", amountMinor: -1 } }, /negative/],
    ["no currency", { total: { currency: "", amountMinor: 100 } }, /currency/],
    [
      "mixed currencies",
      { lines: [{ ...buildDraft().lines[0]!, unitPrice: { currency: "JPY", amountMinor: 300 } }] },
      /JPY/,
    ],
  ])("refuses %s with INVALID_ORDER", (_, overrides, message) => {
    expect(() => draftOrder(buildDraft(overrides))).toThrow(
      expect.objectContaining({ reason: "INVALID_ORDER", message: expect.stringMatching(message) }),
    );
  });
});
