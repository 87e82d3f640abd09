import { invalidArgument } from "./errors.js";
import { isUuid } from "./ids.js";

export const DEFAULT_PAGE_SIZE = 20;

/** A list call's page_size: 0 asks for the default (its range, 1..100, is the request's field rule). */
export const pageSize = (requested: number): number => (requested === 0 ? DEFAULT_PAGE_SIZE : requested);

/**
 * Turns where a page ended into the page_token clients hand back, and back again. Tokens are
 * opaque to clients (base64url); `decode` takes "" as the first page and refuses with
 * INVALID_PAGE_TOKEN anything it would not have issued itself.
 */
export interface PageTokenCodec<P> {
  encode(position: P): string;
  decode(token: string): P | undefined;
}

/** Where a page of a newest-first listing ended: the last row's creation time and id (a UUID). */
export interface PagePosition {
  createdAt: Date;
  id: string;
}

/** Newest-first listings keyed on (created_at, id), checkouts and orders: base64url of "<epoch ms>.<id>". */
export const newestFirstPageToken: PageTokenCodec<PagePosition> = opaquePageToken(
  (p) => `${p.createdAt.getTime()}.${p.id}`,
  (text) => {
    const m = /^(\d{1,15})\.(.+)$/.exec(text);
    if (!m || !isUuid(m[2]!)) return undefined;
    return { createdAt: new Date(Number(m[1])), id: m[2]!.toLowerCase() };
  },
);

/** Listings ordered by id, the catalog: base64url of the last id seen. */
export const afterIdPageToken: PageTokenCodec<string> = opaquePageToken(
  (id) => id,
  (text) => (text === "" ? undefined : text),
);

function opaquePageToken<P>(
  format: (position: P) => string,
  parse: (text: string) => P | undefined,
): PageTokenCodec<P> {
  const encode = (position: P) => Buffer.from(format(position), "utf8").toString("base64url");
  return {
    encode,
    decode(token) {
      if (token === "") return undefined;
      const position = parse(Buffer.from(token, "base64url").toString("utf8"));
      // Base64url decoding skips what it cannot read; only a token we could have issued is taken.
      if (position === undefined || encode(position) !== token) {
        throw invalidArgument("INVALID_PAGE_TOKEN", "page_token is not valid");
      }
      return position;
    },
  };
}
