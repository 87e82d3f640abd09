import { sign, verify } from "hono/jwt";

/** How long a dev token lives. */
export const DEV_TOKEN_TTL_SECONDS = 3600;

/** Clocks of issuer and gateway may disagree this much. */
export const CLOCK_SKEW_SECONDS = 30;

/** A user id as it may appear in `sub`: what the services accept as a key, nothing stranger. */
export const USER_ID_PATTERN = /^[A-Za-z0-9._@:|-]{1,128}$/;

/** Why a bearer token was refused; the message is safe to show the caller. */
export class InvalidTokenError extends Error {
  override readonly name = "InvalidTokenError";
}

/** Signs an HS256 token for `userId`, valid for `ttlSeconds` from `now`. */
export async function issueToken(
  secret: string,
  userId: string,
  options: { now?: Date; ttlSeconds?: number } = {},
): Promise<string> {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return sign({ sub: userId, iat, exp: iat + (options.ttlSeconds ?? DEV_TOKEN_TTL_SECONDS) }, secret, "HS256");
}

/**
 * Verifies an HS256 token and returns its user (`sub`). `exp` is required; `exp`, `nbf` and
 * `iat` are checked here rather than by the library so they get the clock-skew tolerance.
 */
export async function verifyToken(secret: string, token: string, now: Date = new Date()): Promise<string> {
  let payload: Record<string, unknown>;
  try {
    payload = (await verify(token, secret, { alg: "HS256", exp: false, nbf: false, iat: false })) as Record<
      string,
      unknown
    >;
  } catch {
    throw new InvalidTokenError("the token is malformed or its signature does not verify");
  }
  if (typeof payload !== "object" || payload === null) throw new InvalidTokenError("the token has no claims");
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const { exp, nbf, iat, sub } = payload;
  if (typeof exp !== "number" || !Number.isFinite(exp)) throw new InvalidTokenError("the token has no exp claim");
  if (exp + CLOCK_SKEW_SECONDS <= nowSeconds) throw new InvalidTokenError("the token has expired");
  if (nbf !== undefined && (typeof nbf !== "number" || nbf - CLOCK_SKEW_SECONDS > nowSeconds)) {
    throw new InvalidTokenError("the token is not valid yet");
  }
  if (iat !== undefined && (typeof iat !== "number" || iat - CLOCK_SKEW_SECONDS > nowSeconds)) {
    throw new InvalidTokenError("the token was issued in the future");
  }
  if (typeof sub !== "string" || !USER_ID_PATTERN.test(sub)) {
    throw new InvalidTokenError("the token's sub claim is missing or not a valid user id");
  }
  return sub;
}
