import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { adjustedStock } from "./stock-adjustment.js";

const level = { productId: "p1", available: 3, reserved: 2 };

describe("adjustedStock", () => {
  it("adds and takes off available units, reserved untouched", () => {
    expect(adjustedStock(level, 10)).toEqual({ productId: "p1", available: 13, reserved: 2 });
    expect(adjustedStock(level, -3)).toEqual({ productId: "p1", available: 0, reserved: 2 });
  });

  it("refuses to leave fewer units on hand than are reserved, saying how many may go", () => {
    const err = (() => {
      try {
        adjustedStock(level, -4);
      } catch (e) {
        return e;
      }
    })() as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.reason).toBe("STOCK_BELOW_RESERVED");
    expect(err.message).toBe(
      "taking 4 units of product p1 off would leave 1 on hand, below the 2 reserved; at most 3 can be taken off",
    );
    expect(err.context.lines).toEqual([{ productId: "p1", requested: 4, available: 3 }]);
  });
});
