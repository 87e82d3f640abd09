import { failedPrecondition, notFound } from "@checkout-saga/shared";
import type { Reservation, ReservationStatus } from "./reservation.js";

/**
 * The reservation state machine: a HELD reservation ends exactly once.
 *
 *   from \ call | Confirm                          | Release            | sweeper
 *   HELD        | CONFIRMED (EXPIRED if past due)  | RELEASED           | EXPIRED if past due
 *   CONFIRMED   | unchanged                        | RESERVATION_CONFIRMED | -
 *   RELEASED    | RESERVATION_RELEASED             | unchanged          | -
 *   EXPIRED     | RESERVATION_EXPIRED              | unchanged          | -
 */
export type ConfirmDecision = "confirm" | "expire" | "unchanged";
export type ReleaseDecision = "release" | "unchanged";

export function decideConfirm(reservation: Reservation, now: Date): ConfirmDecision {
  switch (reservation.status) {
    case "HELD":
      // A hold past its expiry is no longer the customer's, even if the sweeper has not run yet.
      return isPastExpiry(reservation, now) ? "expire" : "confirm";
    case "CONFIRMED":
      return "unchanged";
    case "EXPIRED":
      throw reservationExpired(reservation.checkoutId);
    case "RELEASED":
      throw failedPrecondition(
        "RESERVATION_RELEASED",
        `the reservation of checkout ${reservation.checkoutId} was released`,
        {
          metadata: { checkout_id: reservation.checkoutId },
        },
      );
  }
}

export function decideRelease(reservation: Reservation): ReleaseDecision {
  switch (reservation.status) {
    case "HELD":
      return "release";
    case "RELEASED":
    case "EXPIRED":
      return "unchanged";
    case "CONFIRMED":
      // Sold stock is the order's now; giving it back is a return, not a release.
      throw failedPrecondition(
        "RESERVATION_CONFIRMED",
        `the reservation of checkout ${reservation.checkoutId} is confirmed; sold stock is not released`,
        { metadata: { checkout_id: reservation.checkoutId } },
      );
  }
}

/** A status a HELD reservation can end in. */
export type EndedStatus = Exclude<ReservationStatus, "HELD">;

/** Ending a hold always takes its quantity out of `reserved`; unless sold, it goes back to `available`. */
export const returnsToAvailable: Record<EndedStatus, boolean> = {
  CONFIRMED: false,
  RELEASED: true,
  EXPIRED: true,
};

export const isPastExpiry = (reservation: Pick<Reservation, "expiresAt">, now: Date): boolean =>
  reservation.expiresAt.getTime() <= now.getTime();

export const reservationExpired = (checkoutId: string) =>
  failedPrecondition("RESERVATION_EXPIRED", `the reservation of checkout ${checkoutId} expired`, {
    metadata: { checkout_id: checkoutId },
  });

export const reservationNotFound = (checkoutId: string) =>
  notFound("RESERVATION_NOT_FOUND", `checkout ${checkoutId} holds no reservation`, {
    metadata: { checkout_id: checkoutId },
  });

const MAX_RELEASE_REASON_LENGTH = 200;

/**
 * Why a hold was released, as stored. Informational only, so an over-long reason is cut rather
 * than rejected: a compensation must never fail over its wording.
 */
export const releaseReason = (reason: string): string | null =>
  reason.trim() === "" ? null : reason.trim().slice(0, MAX_RELEASE_REASON_LENGTH);
