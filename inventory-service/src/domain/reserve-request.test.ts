import { DomainError } from "@checkout-saga/shared";
import { describe, expect, it } from "vitest";
import { mergeLines, parseReserveCommand } from "./reserve-request.js";

const DEFAULT_TTL = 300;
const parse = (input: Partial<Parameters<typeof parseReserveCommand>[0]>) =>
  parseReserveCommand(
    { checkoutId: "co-1", items: [{ productId: "1", quantity: 1 }], ttlSeconds: 0, ...input },
    DEFAULT_TTL,
  );

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}:${err.reason}`;
    throw err;
  }
  throw new Error("expected a DomainError");
}

describe("mergeLines", () => {
  it("adds up quantities per product and sorts by product id", () => {
    expect(
      mergeLines([
        { productId: "3", quantity: 1 },
        { productId: "1", quantity: 2 },
        { productId: "3", quantity: 4 },
      ]),
    ).toEqual([
      { productId: "1", quantity: 2 },
      { productId: "3", quantity: 5 },
    ]);
  });

  it("returns nothing for no lines", () => {
    expect(mergeLines([])).toEqual([]);
  });
});

describe("parseReserveCommand", () => {
  it("merges duplicate lines and applies the default ttl for 0", () => {
    const command = parse({
      items: [
        { productId: "2", quantity: 1 },
        { productId: "2", quantity: 2 },
      ],
    });
    expect(command).toEqual({ checkoutId: "co-1", lines: [{ productId: "2", quantity: 3 }], ttlSeconds: DEFAULT_TTL });
  });

  it("keeps a requested ttl", () => {
    expect(parse({ ttlSeconds: 1 }).ttlSeconds).toBe(1);
    expect(parse({ ttlSeconds: 3_600 }).ttlSeconds).toBe(3_600);
  });

  it("rejects merged lines above the per-line maximum", () => {
    const items = [
      { productId: "1", quantity: 500 },
      { productId: "1", quantity: 500 },
    ];
    expect(reasonOf(() => parse({ items }))).toBe("invalid_argument:INVALID_QUANTITY");
  });
});
