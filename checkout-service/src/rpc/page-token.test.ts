import { describe, expect, it } from "vitest";
import { decodePageToken, encodePageToken, pageSize } from "./page-token.js";

describe("page tokens", () => {
  it("round-trip a position", () => {
    const position = { createdAt: new Date("2026-03-01T10:00:00.123Z"), id: "3f2c6a4e-8b1d-4c7e-9a55-0d6f1e2b3c4d" };
    expect(decodePageToken(encodePageToken(position))).toEqual(position);
    expect(decodePageToken("")).toBeUndefined();
  });

  it.each(["garbage", Buffer.from("12.not-a-uuid").toString("base64url")])("refuses %s", (token) => {
    expect(() => decodePageToken(token)).toThrow(expect.objectContaining({ reason: "INVALID_PAGE_TOKEN" }));
  });

  it("defaults and bounds the page size", () => {
    expect(pageSize(0)).toBe(20);
    expect(pageSize(100)).toBe(100);
    expect(() => pageSize(101)).toThrow(expect.objectContaining({ reason: "INVALID_PAGE_SIZE" }));
    expect(() => pageSize(-1)).toThrow(expect.objectContaining({ reason: "INVALID_PAGE_SIZE" }));
  });
});
