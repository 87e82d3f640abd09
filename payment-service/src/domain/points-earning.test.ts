import { describe, expect, it } from "vitest";
import { afterCancellation, type Earning, earnedPoints, pointsToTakeBack, takeBackReason } from "./points-earning.js";

function buildEarning(overrides: Partial<Earning> = {}): Earning {
  return {
    checkoutId: "c",
    userId: "u",
    points: 100,
    chargedMinor: 10_000,
    refundedMinor: 0,
    fullyCancelled: false,
    ...overrides,
  };
}

describe("earnedPoints", () => {
  it("is 1% of the yen charged, rounded down; nothing in other currencies", () => {
    expect(earnedPoints({ currency: "JPY", amountMinor: 12_399 })).toBe(123);
    expect(earnedPoints({ currency: "JPY", amountMinor: 99 })).toBe(0);
    expect(earnedPoints({ currency: "USD", amountMinor: 10_000 })).toBe(0);
  });
});

describe("pointsToTakeBack", () => {
  it("sums to exactly floor(E·refunded/C) whatever the split", () => {
    let earning = buildEarning({ points: 7, chargedMinor: 1_000 });
    const taken: number[] = [];
    for (const refundedMinor of [333, 333, 100]) {
      const cancellation = { refundedMinor, ordersLastLines: false };
      taken.push(pointsToTakeBack(earning, cancellation));
      earning = afterCancellation(earning, cancellation);
    }
    expect(taken).toEqual([2, 2, 1]);
    expect(taken.reduce((a, b) => a + b)).toBe(Math.floor((7 * 766) / 1_000));
  });

  it("takes back all that is left when the order's last lines are cancelled", () => {
    const earning = buildEarning({ refundedMinor: 3_333 });
    expect(pointsToTakeBack(earning, { refundedMinor: 1, ordersLastLines: true })).toBe(67);
  });

  it("takes nothing more once the order is cancelled", () => {
    expect(pointsToTakeBack(buildEarning({ fullyCancelled: true }), { refundedMinor: 10, ordersLastLines: true })).toBe(
      0,
    );
  });

  it("does not overflow when points times charge passes 2^53", () => {
    const charged = 2 ** 52;
    const earning = buildEarning({ points: Math.floor(charged / 100), chargedMinor: charged });
    expect(pointsToTakeBack(earning, { refundedMinor: charged / 2, ordersLastLines: false })).toBe(
      Math.floor(charged / 100 / 2),
    );
  });
});

it("names a shortfall in the take-back's reason", () => {
  expect(takeBackReason(0)).toBe("taken_back");
  expect(takeBackReason(30)).toBe("taken_back (short 30: already spent)");
});
