import { describe, expect, it } from "vitest";
import type { Reservation } from "./reservation.js";
import { checkReturnable, parseReturnCommand, sameReturn, withReturned } from "./stock-return.js";

function buildReservation(overrides: Partial<Reservation> = {}): Reservation {
  return {
    id: "r-1",
    checkoutId: "co-1",
    status: "CONFIRMED",
    lines: [
      { productId: "1", quantity: 3 },
      { productId: "2", quantity: 1 },
    ],
    returned: [],
    expiresAt: new Date("2026-01-01T00:00:00Z"),
    ...overrides,
  };
}

const command = (lines: Array<[string, number]>, key = "cancel-1") =>
  parseReturnCommand({
    key,
    checkoutId: "co-1",
    lines: lines.map(([productId, quantity]) => ({ productId, quantity })),
    reason: " line cancelled ",
  });

describe("parseReturnCommand", () => {
  it("adds up lines of one product and sorts them, trimming the reason", () => {
    expect(
      command([
        ["2", 1],
        ["1", 1],
        ["1", 2],
      ]),
    ).toEqual({
      key: "cancel-1",
      checkoutId: "co-1",
      lines: [
        { productId: "1", quantity: 3 },
        { productId: "2", quantity: 1 },
      ],
      reason: "line cancelled",
    });
  });
});

describe("checkReturnable", () => {
  it("accepts up to what each line sold and has not had back", () => {
    expect(() => checkReturnable(buildReservation(), command([["1", 3]]).lines)).not.toThrow();
    const partly = withReturned(buildReservation(), [{ productId: "1", quantity: 2 }]);
    expect(() => checkReturnable(partly, command([["1", 1]]).lines)).not.toThrow();
    expect(() => checkReturnable(partly, command([["1", 2]]).lines)).toThrow(
      expect.objectContaining({
        reason: "RETURN_EXCEEDS_SOLD",
        context: expect.objectContaining({ lines: [{ productId: "1", requested: 2, available: 1 }] }),
      }),
    );
  });

  it("refuses a product the reservation did not sell", () => {
    expect(() => checkReturnable(buildReservation(), command([["9", 1]]).lines)).toThrow(
      expect.objectContaining({ reason: "RETURN_EXCEEDS_SOLD" }),
    );
  });

  it.each(["HELD", "RELEASED", "EXPIRED"] as const)("refuses a %s reservation: it sold nothing", (status) => {
    expect(() => checkReturnable(buildReservation({ status }), command([["1", 1]]).lines)).toThrow(
      expect.objectContaining({ kind: "failed_precondition", reason: "RESERVATION_NOT_CONFIRMED" }),
    );
  });
});

describe("sameReturn", () => {
  const earlier = { ...command([["1", 2]]), createdAt: new Date(0) };

  it("answers a retry with the earlier return", () => {
    expect(sameReturn(earlier, command([["1", 2]]))).toBe(earlier);
  });

  it("refuses the key for other lines or another checkout", () => {
    expect(() => sameReturn(earlier, command([["1", 1]]))).toThrow(
      expect.objectContaining({ reason: "RETURN_KEY_REUSED" }),
    );
    expect(() => sameReturn(earlier, { ...command([["1", 2]]), checkoutId: "co-2" })).toThrow(
      expect.objectContaining({ reason: "RETURN_KEY_REUSED" }),
    );
  });
});

describe("withReturned", () => {
  it("adds returned units per product", () => {
    const once = withReturned(buildReservation(), [{ productId: "2", quantity: 1 }]);
    expect(withReturned(once, [{ productId: "1", quantity: 1 }]).returned).toEqual([
      { productId: "1", quantity: 1 },
      { productId: "2", quantity: 1 },
    ]);
  });
});
