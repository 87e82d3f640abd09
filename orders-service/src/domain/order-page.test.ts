import { describe, expect, it } from "vitest";
import { DEFAULT_PAGE_SIZE, decodePageToken, encodePageToken, isUuid, pageSize } from "./order-page.js";

describe("pageSize", () => {
  it("defaults when unset and accepts 1..100", () => {
    expect(pageSize(0)).toBe(DEFAULT_PAGE_SIZE);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(100)).toBe(100);
  });

  it.each([-1, 101])("refuses %d with INVALID_PAGE_SIZE", (n) => {
    expect(() => pageSize(n)).toThrow(expect.objectContaining({ reason: "INVALID_PAGE_SIZE" }));
  });
});

describe("page tokens", () => {
  const cursor = { createdAt: new Date("2026-11-24T07:15:00.123Z"), id: "0b6f8f3e-2a4d-4c1e-9f00-6d2b1f7c9a11" };

  it("round-trips a cursor and stays opaque", () => {
    const token = encodePageToken(cursor);
    expect(token).not.toContain(cursor.id);
    expect(decodePageToken(token)).toEqual(cursor);
  });

  it("means the first page when empty", () => {
    expect(decodePageToken("")).toBeUndefined();
  });

  it.each([
    "not-a-token",
    Buffer.from("123.not-a-uuid").toString("base64url"),
    Buffer.from(cursor.id).toString("base64url"),
  ])("refuses %s with INVALID_PAGE_TOKEN", (token) => {
    expect(() => decodePageToken(token)).toThrow(expect.objectContaining({ reason: "INVALID_PAGE_TOKEN" }));
  });
});

describe("isUuid", () => {
  it("accepts UUIDs only", () => {
    expect(isUuid("0b6f8f3e-2a4d-4c1e-9f00-6d2b1f7c9a11")).toBe(true);
    expect(isUuid("0B6F8F3E-2A4D-4C1E-9F00-6D2B1F7C9A11")).toBe(true);
    expect(isUuid("42")).toBe(false);
    expect(isUuid("0b6f8f3e-2a4d-4c1e-9f00-6d2b1f7c9a11' or 1=1")).toBe(false);
  });
});
