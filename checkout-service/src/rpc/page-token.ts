import { invalidArgument } from "@checkout-saga/shared";

/** Where a page of the newest-first listing ended: the last row's creation time and id. */
export interface PagePosition {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque to clients: base64url of "<epoch ms>.<id>". */
export const encodePageToken = (p: PagePosition): string =>
  Buffer.from(`${p.createdAt.getTime()}.${p.id}`, "utf8").toString("base64url");

export function decodePageToken(token: string): PagePosition | undefined {
  if (token === "") return undefined;
  const [ms, id, ...rest] = Buffer.from(token, "base64url").toString("utf8").split(".");
  if (rest.length > 0 || !ms || !/^\d{1,15}$/.test(ms) || !id || !UUID.test(id)) {
    throw invalidArgument("INVALID_PAGE_TOKEN", "page_token is not valid");
  }
  return { createdAt: new Date(Number(ms)), id };
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function pageSize(requested: number): number {
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  if (requested < 1 || requested > MAX_PAGE_SIZE) {
    throw invalidArgument("INVALID_PAGE_SIZE", `page_size must be within 1..${MAX_PAGE_SIZE}, got ${requested}`);
  }
  return requested;
}

export const isUuid = (value: string): boolean => UUID.test(value);
