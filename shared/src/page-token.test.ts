import { describe, expect, it } from "vitest";
import { isUuid } from "./ids.js";
import { afterIdPageToken, DEFAULT_PAGE_SIZE, newestFirstPageToken, pageSize } from "./page-token.js";

// The assertions of checkout-service's and orders-service's own page-token tests, kept as they were.
const { decode: decodePageToken, encode: encodePageToken } = newestFirstPageToken;

describe("pageSize", () => {
  it("defaults when unset and takes what was asked otherwise", () => {
    expect(pageSize(0)).toBe(DEFAULT_PAGE_SIZE);
    expect(pageSize(0)).toBe(20);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(100)).toBe(100);
  });
});

describe("newest-first page tokens", () => {
  const cursor = { createdAt: new Date("2026-11-24T07:15:00.123Z"), id: "0b6f8f3e-2a4d-4c1e-9f00-6d2b1f7c9a11" };

  it("round-trip a position", () => {
    const position = { createdAt: new Date("2026-03-01T10:00:00.123Z"), id: "3f2c6a4e-8b1d-4c7e-9a55-0d6f1e2b3c4d" };
    expect(decodePageToken(encodePageToken(position))).toEqual(position);
    expect(decodePageToken("")).toBeUndefined();
  });

  it("round-trips a cursor and stays opaque", () => {
    const token = encodePageToken(cursor);
    expect(token).not.toContain(cursor.id);
    expect(decodePageToken(token)).toEqual(cursor);
  });

  it("keeps the wire format clients already hold: base64url of <epoch ms>.<id>", () => {
    expect(encodePageToken(cursor)).toBe(Buffer.from(`1795504500123.${cursor.id}`).toString("base64url"));
  });

  it("means the first page when empty", () => {
    expect(decodePageToken("")).toBeUndefined();
  });

  it.each([
    "garbage",
    "not-a-token",
    Buffer.from("12.not-a-uuid").toString("base64url"),
    Buffer.from("123.not-a-uuid").toString("base64url"),
    Buffer.from(cursor.id).toString("base64url"),
    `${encodePageToken(cursor)}==`,
  ])("refuses %s with INVALID_PAGE_TOKEN", (token) => {
    expect(() => decodePageToken(token)).toThrow(expect.objectContaining({ reason: "INVALID_PAGE_TOKEN" }));
  });
});

describe("after-id page tokens", () => {
  it("round-trip an id and stay opaque", () => {
    const token = afterIdPageToken.encode("3");
    expect(token).toBe(Buffer.from("3").toString("base64url"));
    expect(afterIdPageToken.decode(token)).toBe("3");
    expect(afterIdPageToken.decode("")).toBeUndefined();
  });

  it.each(["a", "garbage!", "Mw=="])("refuses %s with INVALID_PAGE_TOKEN", (token) => {
    expect(() => afterIdPageToken.decode(token)).toThrow(expect.objectContaining({ reason: "INVALID_PAGE_TOKEN" }));
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
