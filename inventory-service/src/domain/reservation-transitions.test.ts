import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import type { Reservation, ReservationStatus } from "./reservation.js";
import { decideConfirm, decideRelease, releaseReason, returnsToAvailable } from "./reservation-transitions.js";

const now = new Date("2026-01-01T12:00:00Z");

function buildReservation(status: ReservationStatus, expiresAt = new Date(now.getTime() + 60_000)): Reservation {
  return { id: "r-1", checkoutId: "co-1", status, lines: [{ productId: "1", quantity: 2 }], returned: [], expiresAt };
}

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}:${err.reason}`;
    throw err;
  }
  throw new Error("expected a DomainError");
}

describe("decideConfirm", () => {
  it("confirms a hold before its expiry", () => {
    expect(decideConfirm(buildReservation("HELD"), now)).toBe("confirm");
  });

  it("expires a hold at or past its expiry, even before the sweeper ran", () => {
    expect(decideConfirm(buildReservation("HELD", now), now)).toBe("expire");
    expect(decideConfirm(buildReservation("HELD", new Date(now.getTime() - 1)), now)).toBe("expire");
  });

  it("leaves a confirmed reservation as it is", () => {
    expect(decideConfirm(buildReservation("CONFIRMED"), now)).toBe("unchanged");
  });

  it("refuses expired and released reservations with their reasons", () => {
    expect(reasonOf(() => decideConfirm(buildReservation("EXPIRED"), now))).toBe(
      "failed_precondition:RESERVATION_EXPIRED",
    );
    expect(reasonOf(() => decideConfirm(buildReservation("RELEASED"), now))).toBe(
      "failed_precondition:RESERVATION_RELEASED",
    );
  });
});

describe("decideRelease", () => {
  it("releases a hold, expired or not", () => {
    expect(decideRelease(buildReservation("HELD"))).toBe("release");
    expect(decideRelease(buildReservation("HELD", new Date(0)))).toBe("release");
  });

  it("leaves released and expired reservations as they are", () => {
    expect(decideRelease(buildReservation("RELEASED"))).toBe("unchanged");
    expect(decideRelease(buildReservation("EXPIRED"))).toBe("unchanged");
  });

  it("refuses to release sold stock", () => {
    expect(reasonOf(() => decideRelease(buildReservation("CONFIRMED")))).toBe(
      "failed_precondition:RESERVATION_CONFIRMED",
    );
  });
});

describe("returnsToAvailable", () => {
  it("gives stock back unless it was sold", () => {
    expect(returnsToAvailable).toEqual({ CONFIRMED: false, RELEASED: true, EXPIRED: true });
  });
});

describe("releaseReason", () => {
  it("stores nothing for a blank reason and cuts long ones", () => {
    expect(releaseReason("  ")).toBeNull();
    expect(releaseReason(" payment declined ")).toBe("payment declined");
    expect(releaseReason("x".repeat(500))).toHaveLength(200);
  });
});
