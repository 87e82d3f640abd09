import { z } from "@hono/zod-openapi";
import { USER_ID_PATTERN } from "../auth/tokens.js";

/**
 * Field schemas shared by the routes. Every text field is bounded and refuses what no address,
 * name or token needs and what makes logs and screens lie: control characters (NUL included),
 * bidirectional overrides and isolates, and lone surrogates (not well-formed Unicode). The
 * pattern avoids the `u` flag so it is also a valid OpenAPI (ECMA-262) pattern.
 */
const SAFE_TEXT =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is this pattern's purpose
  /^(?:[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;

/** Free text of 1..max (or min..max) characters, safe to store and to show. */
export const text = (max: number, min = 1) =>
  z
    .string()
    .min(min)
    .max(max)
    .regex(SAFE_TEXT, { error: "must not contain control characters, bidi overrides or lone surrogates" });

/** Ids in paths and bodies: what the services use as keys (digits, uuids, slugs). */
export const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
export const id = () =>
  z.string().min(1).max(128).regex(ID_PATTERN, { error: "must be an id of letters, digits or . _ : -" });

/** Units of one product in a cart line, as the cart service enforces it too. */
export const quantity = () => z.int().min(1).max(99).openapi({ example: 2 });

/** The user id of a dev token: what `sub` may hold. */
export const userId = () =>
  z.string().min(1).max(128).regex(USER_ID_PATTERN, { error: "must be 1..128 letters, digits or . _ @ : | -" });

/** A path parameter holding an id; `name` is the route's placeholder. */
export const idParams = <const N extends string>(name: N, example: string) =>
  z.strictObject({
    [name]: id().openapi({ param: { name, in: "path" }, example }),
  } as { [K in N]: ReturnType<typeof id> });

/**
 * `?limit=&page_token=` of a collection. Query strings are text, so `limit` must be plain
 * digits before it is a number (no "1e2", " 5", "0x10"); unknown parameters are refused.
 */
export const pageQuery = () =>
  z.strictObject({
    limit: z
      .string()
      .regex(/^[0-9]{1,3}$/, { error: "must be an integer between 1 and 100" })
      .transform(Number)
      .pipe(z.int().min(1).max(100))
      .optional()
      .openapi({
        type: "integer",
        minimum: 1,
        maximum: 100,
        default: 20,
        description: "Page size, 1..100 (default 20).",
        param: { name: "limit", in: "query" },
      }),
    page_token: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[\x21-\x7e]+$/, { error: "must be a page token returned by the previous page" })
      .optional()
      .openapi({
        description: "The `next_page_token` of the previous page.",
        param: { name: "page_token", in: "query" },
      }),
  });

/**
 * 1..255 printable ASCII characters without a comma: a comma is how HTTP joins a header sent
 * twice, so a duplicated Idempotency-Key is refused rather than read as one odd key.
 */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x2b\x2d-\x7e]{1,255}$/;
