import { expect, it } from "vitest";
import type { Redemption } from "./points.js";
import { checkRepeatedReturn, repeatedRedemption } from "./points-redemption.js";

const redemption: Redemption = {
  redemptionKey: "k",
  userId: "u",
  checkoutId: "k",
  points: 10,
  returned: 0,
  status: "REDEEMED",
  createdAt: new Date(0),
};

it("answers a repeat with the redemption, refusing another user or number", () => {
  const request = { userId: "u", redemptionKey: "k", points: 10, checkoutId: "k" };
  expect(repeatedRedemption(redemption, request)).toBe(redemption);
  for (const other of [
    { ...request, points: 11 },
    { ...request, userId: "v" },
  ]) {
    expect(() => repeatedRedemption(redemption, other)).toThrow(
      expect.objectContaining({ reason: "REDEMPTION_KEY_REUSED" }),
    );
  }
  const voided = { ...redemption, userId: "", points: 0, status: "VOIDED" as const };
  expect(repeatedRedemption(voided, request)).toBe(voided);
});

it("refuses a return key reused for another number", () => {
  expect(() => checkRepeatedReturn({ requested: 5 }, { returnKey: "r", points: 5 })).not.toThrow();
  expect(() => checkRepeatedReturn({ requested: 5 }, { returnKey: "r", points: 0 })).toThrow(
    expect.objectContaining({ reason: "RETURN_KEY_REUSED" }),
  );
});
