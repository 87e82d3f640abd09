import { invalidArgument } from "@checkout-saga/shared";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Where the previous page ended, newest first: the last order's creation time and id. */
export interface OrderCursor {
  createdAt: Date;
  id: string;
}

export function pageSize(requested: number): number {
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(requested) || requested < 1 || requested > MAX_PAGE_SIZE) {
    throw invalidArgument("INVALID_PAGE_SIZE", `page_size must be within 1..${MAX_PAGE_SIZE}, got ${requested}`);
  }
  return requested;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: string): boolean => UUID.test(s);

/** Page tokens are opaque to clients: base64url of "<epoch ms>.<order id>". */
export const encodePageToken = (c: OrderCursor): string =>
  Buffer.from(`${c.createdAt.getTime()}.${c.id}`, "utf8").toString("base64url");

export function decodePageToken(token: string): OrderCursor | undefined {
  if (token === "") return undefined;
  const m = /^(\d{1,15})\.(.+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!m || !isUuid(m[2]!)) throw invalidArgument("INVALID_PAGE_TOKEN", "page_token is not valid");
  return { createdAt: new Date(Number(m[1])), id: m[2]!.toLowerCase() };
}
