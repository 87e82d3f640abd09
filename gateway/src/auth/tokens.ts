import { decode, sign, verify, verifyWithJwks } from "hono/jwt";
import type { JwksKeys } from "./jwks-keys.js";

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
 * `exp` (required), `nbf` and `iat` with the clock-skew tolerance, and `sub` as a user id.
 * The libraries' own time checks are off so that these, with skew, are the only ones.
 */
function userOf(payload: unknown, now: Date): string {
  if (typeof payload !== "object" || payload === null) throw new InvalidTokenError("the token has no claims");
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const { exp, nbf, iat, sub } = payload as Record<string, unknown>;
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

const UNCHECKED_TIMES = { exp: false, nbf: false, iat: false } as const;

/** Verifies an HS256 token and returns its user (`sub`). */
export async function verifyToken(secret: string, token: string, now: Date = new Date()): Promise<string> {
  let payload: unknown;
  try {
    payload = await verify(token, secret, { alg: "HS256", ...UNCHECKED_TIMES });
  } catch {
    throw new InvalidTokenError("the token is malformed or its signature does not verify");
  }
  return userOf(payload, now);
}

export interface TokenVerifierOptions {
  /** HS256 secret; undefined refuses HS256 tokens. */
  secret?: string;
  /** RS256 keys from a JWKS, with the `iss`/`aud` the tokens must carry; undefined refuses RS256. */
  jwks?: { keySet: JwksKeys; issuer?: string; audience?: string };
  now?: () => Date;
}

/** Checks a bearer token and names its user. */
export type TokenVerifier = (token: string) => Promise<string>;

/**
 * HS256 tokens with the shared secret and RS256 tokens with the identity provider's JWKS. The
 * token's `alg` only picks which of the two configured checks runs; each is pinned to its
 * algorithm and key, so a token cannot choose how it is verified (no alg confusion).
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const now = options.now ?? (() => new Date());
  return async (token) => {
    let alg: unknown;
    let kid: unknown;
    try {
      ({ alg, kid } = decode(token).header);
    } catch {
      throw new InvalidTokenError("the token is malformed or its signature does not verify");
    }
    if (alg === "HS256" && options.secret !== undefined) return verifyToken(options.secret, token, now());
    const jwks = options.jwks;
    if (alg === "RS256" && jwks) {
      const keys = await jwks.keySet.keys(typeof kid === "string" ? kid : undefined);
      let payload: unknown;
      try {
        payload = await verifyWithJwks(token, {
          keys,
          allowedAlgorithms: ["RS256"],
          verification: { ...UNCHECKED_TIMES, iss: jwks.issuer, aud: jwks.audience },
        });
      } catch {
        throw new InvalidTokenError(
          "the token is malformed, its signature does not verify, or its issuer or audience is not accepted",
        );
      }
      return userOf(payload, now());
    }
    throw new InvalidTokenError(
      `tokens signed with ${typeof alg === "string" ? alg.slice(0, 10) : "this algorithm"} are not accepted`,
    );
  };
}
