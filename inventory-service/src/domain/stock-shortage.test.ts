import { describe, expect, it } from "vitest";
import { findShortages, outOfStock } from "./stock-shortage.js";

describe("findShortages", () => {
  it("names every short line, counting a product without stock as 0 available", () => {
    const available = new Map([
      ["1", 5],
      ["2", 1],
    ]);
    const lines = [
      { productId: "1", quantity: 5 },
      { productId: "2", quantity: 2 },
      { productId: "9", quantity: 1 },
    ];
    expect(findShortages(lines, available)).toEqual([
      { productId: "2", requested: 2, available: 1 },
      { productId: "9", requested: 1, available: 0 },
    ]);
  });

  it("finds none when everything fits exactly", () => {
    expect(findShortages([{ productId: "1", quantity: 3 }], new Map([["1", 3]]))).toEqual([]);
  });
});

describe("outOfStock", () => {
  it("is a failed precondition carrying the shortages as lines", () => {
    const err = outOfStock([{ productId: "2", requested: 2, available: 1 }]);
    expect(err.kind).toBe("failed_precondition");
    expect(err.reason).toBe("OUT_OF_STOCK");
    expect(err.context.lines).toEqual([{ productId: "2", requested: 2, available: 1 }]);
  });
});
