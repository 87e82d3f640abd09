import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { addToLines, CART_LINE_LIMIT, type CartLine, removeLine, setLineQuantity, subtractCheckedOut } from "./cart.js";

const t0 = new Date("2026-01-01T00:00:00.000Z");
const t1 = new Date("2026-01-01T01:00:00.000Z");

function line(productId: string, quantity: number, addedAt = t0): CartLine {
  return { productId, quantity, addedAt };
}

function linesOf(count: number): CartLine[] {
  return Array.from({ length: count }, (_, i) => line(`p${i}`, 1));
}

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}/${err.reason}`;
    throw err;
  }
  return undefined;
}

describe("addToLines", () => {
  it("appends a new line stamped with the time it was added", () => {
    expect(addToLines([line("1", 1)], "2", 3, t1)).toEqual([line("1", 1), line("2", 3, t1)]);
  });

  it("adds to an existing line, keeping when it was first added", () => {
    expect(addToLines([line("1", 2)], "1", 3, t1)).toEqual([line("1", 5, t0)]);
  });

  it("allows a line to reach 99 but refuses to go past it instead of clamping", () => {
    expect(addToLines([line("1", 98)], "1", 1, t1)).toEqual([line("1", 99)]);
    expect(reasonOf(() => addToLines([line("1", 98)], "1", 2, t1))).toBe(
      "failed_precondition/CART_LINE_QUANTITY_LIMIT",
    );
  });

  it("refuses a new line beyond the limit but still adds to an existing one", () => {
    const full = linesOf(CART_LINE_LIMIT);
    expect(reasonOf(() => addToLines(full, "new", 1, t1))).toBe("failed_precondition/CART_LINE_LIMIT");
    expect(addToLines(full, "p0", 1, t1)[0]?.quantity).toBe(2);
    expect(addToLines(linesOf(CART_LINE_LIMIT - 1), "new", 1, t1)).toHaveLength(CART_LINE_LIMIT);
  });
});

describe("setLineQuantity", () => {
  it("sets the quantity of the named line only", () => {
    expect(setLineQuantity([line("1", 1), line("2", 2)], "2", 99)).toEqual([line("1", 1), line("2", 99)]);
  });

  it("refuses a line the cart does not have", () => {
    expect(reasonOf(() => setLineQuantity([line("1", 1)], "2", 1))).toBe("not_found/CART_LINE_NOT_FOUND");
  });
});

describe("removeLine", () => {
  it("removes the named line", () => {
    expect(removeLine([line("1", 1), line("2", 2)], "1")).toEqual([line("2", 2)]);
  });

  it("refuses a line the cart does not have", () => {
    expect(reasonOf(() => removeLine([], "1"))).toBe("not_found/CART_LINE_NOT_FOUND");
  });
});

describe("subtractCheckedOut", () => {
  it("removes lines whose whole quantity was checked out", () => {
    expect(subtractCheckedOut([line("1", 2), line("2", 1)], [{ productId: "1", quantity: 2 }])).toEqual([line("2", 1)]);
  });

  it("keeps quantity added after the checkout began", () => {
    expect(subtractCheckedOut([line("1", 5)], [{ productId: "1", quantity: 2 }])).toEqual([line("1", 3)]);
  });

  it("drops a line the user lowered below what was checked out", () => {
    expect(subtractCheckedOut([line("1", 1)], [{ productId: "1", quantity: 3 }])).toEqual([]);
  });

  it("ignores checked-out products no longer in the cart and sums repeated ones", () => {
    const checkedOut = [
      { productId: "9", quantity: 1 },
      { productId: "1", quantity: 1 },
      { productId: "1", quantity: 2 },
    ];
    expect(subtractCheckedOut([line("1", 4)], checkedOut)).toEqual([line("1", 1)]);
  });
});
