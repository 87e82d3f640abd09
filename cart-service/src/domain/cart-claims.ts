import { failedPrecondition, invalidArgument } from "@checkout-saga/shared";
import { type CartClaim, type CartLine, type ClaimedLine, subtractCheckedOut } from "./cart.js";

/** Released and settled claims are kept this long, so a late claim or a replayed event finds them. */
export const CLAIM_TOMBSTONE_TTL_MS = 7 * 86_400_000;
/** At most this many released or settled claims per cart (the newest); held ones are never dropped. */
export const CLAIM_TOMBSTONES_KEPT = 20;

/**
 * A claim names each product once (its size and each line's id and quantity are the request's
 * field rules: 1..50 lines of 1..99 units).
 */
export function requireClaimLines(lines: ClaimedLine[]): ClaimedLine[] {
  const seen = new Set<string>();
  for (const l of lines) {
    if (seen.has(l.productId)) {
      throw invalidArgument("INVALID_ARGUMENT", `product ${l.productId} appears twice in the claim`, {
        metadata: { field: "lines", product_id: l.productId },
      });
    }
    seen.add(l.productId);
  }
  return lines;
}

/** The product's line quantity less what held claims take of it; never below 0. */
export function unclaimedQuantity(items: CartLine[], claims: CartClaim[], productId: string): number {
  const inCart = items.find((l) => l.productId === productId)?.quantity ?? 0;
  let held = 0;
  for (const c of claims) {
    if (c.state !== "held") continue;
    for (const l of c.lines) if (l.productId === productId) held += l.quantity;
  }
  return Math.max(0, inCart - held);
}

export function findClaim(claims: CartClaim[], checkoutId: string): CartClaim | undefined {
  return claims.find((c) => c.checkoutId === checkoutId);
}

export type ClaimResult =
  /** The checkout already held or settled a claim: it is returned unchanged, nothing to write. */
  { changed: false; claim: CartClaim } | { changed: true; claim: CartClaim; claims: CartClaim[] };

/**
 * Holds `lines` for the checkout, all or nothing. Idempotent per checkout: a held or settled
 * claim is returned as it is. Refuses (CART_CLAIM_RELEASED) once the checkout's claim was
 * released, so a claim that arrives after its compensation holds nothing; refuses
 * (CART_LINES_HELD) when any line lacks unclaimed quantity, naming the short lines and the
 * checkouts holding those products.
 */
export function claimLines(
  cart: { items: CartLine[]; claims: CartClaim[] },
  checkoutId: string,
  lines: ClaimedLine[],
  now: Date,
): ClaimResult {
  const existing = findClaim(cart.claims, checkoutId);
  if (existing?.state === "released") {
    throw failedPrecondition("CART_CLAIM_RELEASED", `checkout ${checkoutId} released its claim on the cart`, {
      metadata: { checkout_id: checkoutId },
    });
  }
  if (existing) return { changed: false, claim: existing };

  const short = lines.flatMap((l) => {
    const available = unclaimedQuantity(cart.items, cart.claims, l.productId);
    return available < l.quantity ? [{ productId: l.productId, requested: l.quantity, available }] : [];
  });
  if (short.length > 0) {
    const shortIds = new Set(short.map((s) => s.productId));
    const heldBy = cart.claims
      .filter((c) => c.state === "held" && c.lines.some((l) => shortIds.has(l.productId)))
      .map((c) => c.checkoutId);
    throw failedPrecondition("CART_LINES_HELD", "the cart does not have these quantities unclaimed", {
      lines: short,
      metadata: { checkout_id: checkoutId, held_by: heldBy.join(",") },
    });
  }
  const claim: CartClaim = {
    checkoutId,
    lines: lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
    state: "held",
    at: now,
  };
  return { changed: true, claim, claims: [...cart.claims, claim] };
}

/**
 * Ends the checkout's claim: a held claim becomes released; without any claim a released
 * tombstone is left so a claim arriving later is refused. Undefined when there is nothing to
 * change (already released or settled).
 */
export function releaseClaim(claims: CartClaim[], checkoutId: string, now: Date): CartClaim[] | undefined {
  const existing = findClaim(claims, checkoutId);
  if (!existing) return [...claims, { checkoutId, lines: [], state: "released", at: now }];
  if (existing.state !== "held") return undefined;
  return claims.map((c) => (c === existing ? { ...c, state: "released", at: now } : c));
}

/**
 * The checkout completed: its held claim's lines leave the cart (clamped at 0, emptied lines
 * dropped) and the claim is marked settled, in one change, so they are subtracted exactly
 * once. A checkout that held no claim (it began before claims existed, or, against the saga's
 * rules, its claim was released) has the lines it `bought` taken out instead, and is recorded
 * as settled with them, so operators can see the cart consumed its completion. Undefined when
 * the claim is already settled.
 */
export function settleClaim(
  cart: { items: CartLine[]; claims: CartClaim[] },
  checkoutId: string,
  bought: ClaimedLine[],
  now: Date,
): { items: CartLine[]; claims: CartClaim[] } | undefined {
  const existing = findClaim(cart.claims, checkoutId);
  if (existing?.state === "settled") return undefined;
  const lines = existing?.state === "held" ? existing.lines : bought;
  const settled: CartClaim = { checkoutId, lines, state: "settled", at: now };
  return {
    items: subtractCheckedOut(cart.items, lines),
    claims: existing ? cart.claims.map((c) => (c === existing ? settled : c)) : [...cart.claims, settled],
  };
}

/**
 * Drops tombstones older than CLAIM_TOMBSTONE_TTL_MS and all but the newest
 * CLAIM_TOMBSTONES_KEPT, so a cart stays small. Held claims always stay; order is kept.
 */
export function pruneClaims(claims: CartClaim[], now: Date): CartClaim[] {
  const cutoff = now.getTime() - CLAIM_TOMBSTONE_TTL_MS;
  const keep = new Set(
    claims
      .filter((c) => c.state !== "held" && c.at.getTime() >= cutoff)
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .slice(0, CLAIM_TOMBSTONES_KEPT),
  );
  return claims.filter((c) => c.state === "held" || keep.has(c));
}

/** The claims callers see: only those still holding quantities. */
export function heldClaims(claims: CartClaim[]): CartClaim[] {
  return claims.filter((c) => c.state === "held");
}
