import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import type { CartClaim, CartLine, ClaimState } from "./cart.js";
import {
  CLAIM_TOMBSTONE_TTL_MS,
  CLAIM_TOMBSTONES_KEPT,
  claimLines,
  pruneClaims,
  releaseClaim,
  requireClaimLines,
  settleClaim,
  unclaimedQuantity,
} from "./cart-claims.js";

const t0 = new Date("2026-01-01T00:00:00.000Z");
const t1 = new Date("2026-01-01T01:00:00.000Z");

const line = (productId: string, quantity: number): CartLine => ({ productId, quantity, addedAt: t0 });
const wanted = (...lines: Array<[string, number]>) => lines.map(([productId, quantity]) => ({ productId, quantity }));

function claim(checkoutId: string, state: ClaimState, lines: Array<[string, number]>, at = t0): CartClaim {
  return { checkoutId, lines: wanted(...lines), state, at };
}

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("expected a DomainError");
}

describe("unclaimedQuantity", () => {
  it("is the line's quantity less what held claims take, never below 0", () => {
    const items = [line("1", 5), line("2", 1)];
    const claims = [
      claim("a", "held", [["1", 2]]),
      claim("b", "held", [
        ["1", 1],
        ["2", 3],
      ]),
    ];
    expect(unclaimedQuantity(items, claims, "1")).toBe(2);
    expect(unclaimedQuantity(items, claims, "2")).toBe(0);
    expect(unclaimedQuantity(items, claims, "3")).toBe(0);
  });

  it("ignores released and settled claims", () => {
    const claims = [claim("a", "released", [["1", 2]]), claim("b", "settled", [["1", 3]])];
    expect(unclaimedQuantity([line("1", 4)], claims, "1")).toBe(4);
  });
});

describe("claimLines", () => {
  it("holds exactly the requested lines when all are unclaimed", () => {
    const result = claimLines({ items: [line("1", 3), line("2", 1)], claims: [] }, "a", wanted(["1", 2]), t1);
    expect(result).toEqual({
      changed: true,
      claim: claim("a", "held", [["1", 2]], t1),
      claims: [claim("a", "held", [["1", 2]], t1)],
    });
  });

  it("is all or nothing, naming the short lines, their unclaimed quantity and who holds them", () => {
    const cart = {
      items: [line("1", 2), line("2", 1), line("3", 1)],
      claims: [claim("a", "held", [["1", 1]]), claim("b", "held", [["3", 1]]), claim("c", "released", [["1", 1]])],
    };
    const err = refusal(() => claimLines(cart, "d", wanted(["1", 2], ["2", 1], ["4", 1]), t1));
    expect([err.kind, err.reason]).toEqual(["failed_precondition", "CART_LINES_HELD"]);
    expect(err.context.lines).toEqual([
      { productId: "1", requested: 2, available: 1 },
      { productId: "4", requested: 1, available: 0 },
    ]);
    expect(err.context.metadata?.held_by).toBe("a");
  });

  it("leaves held_by empty when the cart simply lacks the quantity", () => {
    const err = refusal(() => claimLines({ items: [line("1", 1)], claims: [] }, "a", wanted(["1", 2]), t1));
    expect(err.reason).toBe("CART_LINES_HELD");
    expect(err.context.metadata?.held_by).toBe("");
  });

  it("returns the checkout's held or settled claim unchanged on a repeat, whatever it asks", () => {
    const held = claim("a", "held", [["1", 1]]);
    expect(claimLines({ items: [line("1", 1)], claims: [held] }, "a", wanted(["1", 1]), t1)).toEqual({
      changed: false,
      claim: held,
    });
    const settled = claim("a", "settled", [["1", 1]]);
    expect(claimLines({ items: [], claims: [settled] }, "a", wanted(["2", 5]), t1)).toEqual({
      changed: false,
      claim: settled,
    });
  });

  it("refuses a checkout whose claim was released, even when the lines are free", () => {
    const cart = { items: [line("1", 5)], claims: [claim("a", "released", [])] };
    const err = refusal(() => claimLines(cart, "a", wanted(["1", 1]), t1));
    expect([err.kind, err.reason]).toEqual(["failed_precondition", "CART_CLAIM_RELEASED"]);
  });

  it("lets quantities added after a claim be claimed by the next checkout", () => {
    const first = claimLines({ items: [line("1", 1)], claims: [] }, "a", wanted(["1", 1]), t0);
    if (!first.changed) throw new Error("expected a new claim");
    const items = [line("1", 2), line("2", 1)];
    expect(() => claimLines({ items, claims: first.claims }, "b", wanted(["1", 2]), t1)).toThrow(DomainError);
    const second = claimLines({ items, claims: first.claims }, "b", wanted(["1", 1], ["2", 1]), t1);
    expect(second.changed && second.claims.map((c) => c.checkoutId)).toEqual(["a", "b"]);
  });
});

describe("requireClaimLines", () => {
  it("refuses a claim naming a product twice", () => {
    expect(refusal(() => requireClaimLines(wanted(["1", 1], ["1", 2]))).reason).toBe("INVALID_ARGUMENT");
    expect(requireClaimLines(wanted(["1", 99], ["2", 1]))).toHaveLength(2);
  });
});

describe("releaseClaim", () => {
  it("releases a held claim, freeing its quantities", () => {
    const released = releaseClaim([claim("a", "held", [["1", 1]])], "a", t1);
    expect(released).toEqual([claim("a", "released", [["1", 1]], t1)]);
    expect(unclaimedQuantity([line("1", 1)], released ?? [], "1")).toBe(1);
  });

  it("leaves a tombstone without a claim, which refuses the claim arriving later", () => {
    const claims = releaseClaim([], "a", t1) ?? [];
    expect(claims).toEqual([claim("a", "released", [], t1)]);
    expect(() => claimLines({ items: [line("1", 1)], claims }, "a", wanted(["1", 1]), t1)).toThrow(
      expect.objectContaining({ reason: "CART_CLAIM_RELEASED" }),
    );
  });

  it("changes nothing once released or settled", () => {
    expect(releaseClaim([claim("a", "released", [])], "a", t1)).toBeUndefined();
    expect(releaseClaim([claim("a", "settled", [["1", 1]])], "a", t1)).toBeUndefined();
  });
});

describe("settleClaim", () => {
  it("takes the claim's lines out (clamped, emptied lines dropped) and marks it settled", () => {
    const cart = {
      items: [line("1", 3), line("2", 1), line("3", 2)],
      claims: [
        claim("a", "held", [
          ["1", 1],
          ["2", 1],
        ]),
        claim("b", "held", [["3", 1]]),
      ],
    };
    const settled = settleClaim(cart, "a", [], t1);
    expect(settled).toEqual({
      items: [line("1", 2), line("3", 2)],
      claims: [
        claim(
          "a",
          "settled",
          [
            ["1", 1],
            ["2", 1],
          ],
          t1,
        ),
        claim("b", "held", [["3", 1]]),
      ],
    });
    // Nothing is subtracted twice: the settled claim refuses to settle again.
    expect(settled && settleClaim(settled, "a", [], t1)).toBeUndefined();
    // What the other checkout holds stays held.
    expect(settled && unclaimedQuantity(settled.items, settled.claims, "3")).toBe(1);
  });

  it("clamps at 0 when the user lowered the line meanwhile", () => {
    const settled = settleClaim({ items: [line("1", 1)], claims: [claim("a", "held", [["1", 3]])] }, "a", [], t1);
    expect(settled?.items).toEqual([]);
  });

  it("settles a checkout without a held claim with the lines it bought, recording it", () => {
    const bought = wanted(["1", 1]);
    const settledClaim = claim("a", "settled", [["1", 1]], t1);
    expect(settleClaim({ items: [line("1", 2)], claims: [] }, "a", bought, t1)).toEqual({
      items: [line("1", 1)],
      claims: [settledClaim],
    });
    // A released claim is replaced, not joined by a second record of the checkout.
    expect(settleClaim({ items: [line("1", 2)], claims: [claim("a", "released", [])] }, "a", bought, t1)).toEqual({
      items: [line("1", 1)],
      claims: [settledClaim],
    });
  });
});

describe("pruneClaims", () => {
  it("drops tombstones older than the TTL and keeps held claims of any age", () => {
    const now = new Date(t0.getTime() + CLAIM_TOMBSTONE_TTL_MS);
    const claims = [
      claim("old-held", "held", [["1", 1]], new Date(0)),
      claim("expired", "settled", [["1", 1]], new Date(now.getTime() - CLAIM_TOMBSTONE_TTL_MS - 1)),
      claim("edge", "released", [], t0),
    ];
    expect(pruneClaims(claims, now).map((c) => c.checkoutId)).toEqual(["old-held", "edge"]);
  });

  it("keeps only the newest tombstones beyond the cap, in their order", () => {
    const at = (i: number) => new Date(t0.getTime() + i * 1000);
    const tombstones = Array.from({ length: CLAIM_TOMBSTONES_KEPT + 3 }, (_, i) =>
      claim(`t${i}`, "released", [], at(i)),
    );
    const held = Array.from({ length: 25 }, (_, i) => claim(`h${i}`, "held", [["1", 1]], at(0)));
    const pruned = pruneClaims([...held, ...tombstones], at(100));
    expect(pruned.filter((c) => c.state === "held")).toHaveLength(25);
    expect(pruned.filter((c) => c.state !== "held").map((c) => c.checkoutId)).toEqual(
      tombstones.slice(3).map((c) => c.checkoutId),
    );
  });
});
