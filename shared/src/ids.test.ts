import { describe, expect, it } from "vitest";
import { isUuid, newTimeOrderedId } from "./ids.js";

describe("newTimeOrderedId", () => {
  it("is a version 7 UUID whose prefix is the creation time", () => {
    const before = Date.now();
    const id = newTimeOrderedId();
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe("7");
    const ms = Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now());
  });

  it("sorts in creation order, even within one millisecond", () => {
    const ids = Array.from({ length: 1_000 }, () => newTimeOrderedId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
