import { describe, expect, it } from "vitest";
import { balanceOf, drawPoints, lotExpiry, type PointsLot, returnToLots } from "./points-lots.js";

const now = new Date("2026-06-01T00:00:00Z");
const day = (n: number) => new Date(now.getTime() + n * 24 * 3600 * 1000);

function buildLot(id: string, remaining: number, expiresInDays: number): PointsLot {
  return {
    id,
    userId: "u",
    checkoutId: `checkout-${id}`,
    earned: remaining,
    remaining,
    earnedAt: day(expiresInDays - 365),
    expiresAt: day(expiresInDays),
  };
}

describe("drawPoints", () => {
  it("takes from the lot that expires first, then the next", () => {
    const lots = [buildLot("late", 50, 200), buildLot("soon", 30, 10)];
    expect(drawPoints(lots, 40, now)).toEqual([
      { lotId: "soon", points: 30 },
      { lotId: "late", points: 10 },
    ]);
  });

  it("leaves expired lots out of the balance and the draw", () => {
    const lots = [buildLot("gone", 100, 0), buildLot("kept", 20, 1)];
    expect(balanceOf(lots, now)).toBe(20);
    expect(drawPoints(lots, 20, now)).toEqual([{ lotId: "kept", points: 20 }]);
  });

  it("refuses more than the balance, naming both", () => {
    expect(() => drawPoints([buildLot("a", 10, 5)], 11, now)).toThrow(
      expect.objectContaining({
        reason: "POINTS_INSUFFICIENT",
        context: { metadata: { requested: "11", balance: "10" } },
      }),
    );
  });
});

describe("returnToLots", () => {
  const draws = [
    { lotId: "soon", taken: 30, returned: 0 },
    { lotId: "late", taken: 10, returned: 0 },
  ];

  it("refills the lots drawn from last first on a partial return", () => {
    expect(returnToLots(draws, 15)).toEqual([
      { lotId: "late", points: 10 },
      { lotId: "soon", points: 5 },
    ]);
  });

  it("gives back only what is left, and refuses more", () => {
    const partly = [
      { lotId: "soon", taken: 30, returned: 5 },
      { lotId: "late", taken: 10, returned: 10 },
    ];
    expect(returnToLots(partly, 25)).toEqual([{ lotId: "soon", points: 25 }]);
    expect(() => returnToLots(partly, 26)).toThrow(expect.objectContaining({ reason: "RETURN_EXCEEDS_REDEMPTION" }));
  });
});

it("gives a lot 365 days", () => {
  expect(lotExpiry(new Date("2026-01-01T00:00:00Z"))).toEqual(new Date("2027-01-01T00:00:00Z"));
});
