import { describe, expect, it } from "vitest";
import { buyableLines } from "./buyable-lines.js";

describe("buyableLines", () => {
  it("takes away what other checkouts hold and keeps what was added meanwhile", () => {
    const cart = [
      { productId: "mouse", quantity: 1 },
      { productId: "keyboard", quantity: 2 },
    ];
    const held = [
      {
        checkoutId: "c-1",
        lines: [
          { productId: "mouse", quantity: 1 },
          { productId: "keyboard", quantity: 1 },
        ],
      },
    ];
    expect(buyableLines(cart, held)).toEqual({ lines: [{ productId: "keyboard", quantity: 1 }], heldBy: ["c-1"] });
  });

  it("leaves nothing when every quantity is held, and names the holders", () => {
    const held = [
      { checkoutId: "c-1", lines: [{ productId: "mouse", quantity: 1 }] },
      { checkoutId: "c-2", lines: [{ productId: "mouse", quantity: 1 }] },
    ];
    expect(buyableLines([{ productId: "mouse", quantity: 2 }], held)).toEqual({ lines: [], heldBy: ["c-1", "c-2"] });
  });

  it("is the cart itself when nothing is held", () => {
    expect(buyableLines([{ productId: "mouse", quantity: 3 }], [])).toEqual({
      lines: [{ productId: "mouse", quantity: 3 }],
      heldBy: [],
    });
  });
});
