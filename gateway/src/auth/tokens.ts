import type { webcrypto } from "node:crypto";
import { decodeProtectedHeader, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify, SignJWT } from "jose";
import { PREDEFINED_STRING_RULES } from "../validation/field-rules.js";
import { stringSchema } from "../validation/rule-schemas.js";

/** How long a dev token lives. */
export const DEV_TOKEN_TTL_SECONDS = 3600;

/** Clocks of issuer and gateway may disagree this much. */
export const CLOCK_SKEW_SECONDS = 30;

/** The user_id field rule, checked as the REST inputs are. */
const USER_ID = stringSchema({ kind: "string", ...PREDEFINED_STRING_RULES.user_id });

/** Whether `sub` is a user id the services accept as a key, nothing stranger. */
export const isUserId = (sub: string): boolean => USER_ID.safeParse(sub).success;

/** Why a bearer token was refused; the message is safe to show the caller. */
export class InvalidTokenError extends Error {
  override readonly name = "InvalidTokenError";
}

/** The HMAC key of a secret, imported once rather than on every token. */
async function hmacKey(secret: string, usage: "sign" | "verify"): Promise<webcrypto.CryptoKey> {
  return crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    usage,
  ]);
}

/** Signs an HS256 token for `userId` (with `roles`, when given), valid for `ttlSeconds` from `now`. */
export async function issueToken(
  secret: string,
  userId: string,
  options: { now?: Date; ttlSeconds?: number; roles?: string[] } = {},
): Promise<string> {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ sub: userId, ...(options.roles ? { roles: options.roles } : {}) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.ttlSeconds ?? DEV_TOKEN_TTL_SECONDS))
    .sign(await hmacKey(secret, "sign"));
}

/** jose's refusals, reworded for the caller; anything else (ours, a JWKS outage, a bug) passes through. */
function refusal(err: unknown): unknown {
  if (err instanceof errors.JWTExpired) return new InvalidTokenError("the token has expired");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "exp") return new InvalidTokenError("the token has no usable exp claim");
    if (err.claim === "nbf") return new InvalidTokenError("the token is not valid yet");
    if (err.claim === "iss" || err.claim === "aud") {
      return new InvalidTokenError("the token's issuer or audience is not accepted");
    }
    return new InvalidTokenError(`the token's ${err.claim} claim is not accepted`);
  }
  if (err instanceof errors.JOSEError) {
    return new InvalidTokenError("the token is malformed or its signature does not verify");
  }
  return err;
}

/** Who a verified token is for: its `sub`, and its `roles` claim (e.g. `admin`), which the services are told. */
export interface AuthenticatedUser {
  userId: string;
  roles: string[];
}

/**
 * `sub` as a user id, `roles` as a list of names (none when absent), and `iat` not in the
 * future: jose checks `iat` against the clock only with `maxTokenAge`, which would cap the
 * lifetime of the identity provider's tokens.
 */
function userOf(payload: JWTPayload, now: Date): AuthenticatedUser {
  if (payload.iat !== undefined && payload.iat - CLOCK_SKEW_SECONDS > Math.floor(now.getTime() / 1000)) {
    throw new InvalidTokenError("the token was issued in the future");
  }
  if (typeof payload.sub !== "string" || !isUserId(payload.sub)) {
    throw new InvalidTokenError("the token's sub claim is missing or not a valid user id");
  }
  const { roles = [] } = payload;
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === "string" && r.length <= 64) || roles.length > 32) {
    throw new InvalidTokenError("the token's roles claim must be a list of role names");
  }
  return { userId: payload.sub, roles };
}

export interface TokenVerifierOptions {
  /** HS256 secret; undefined refuses HS256 tokens. */
  secret?: string;
  /** RS256 keys from a JWKS, with the `iss`/`aud` the tokens must carry; undefined refuses RS256. */
  jwks?: { keySet: JWTVerifyGetKey; issuer?: string; audience?: string };
  now?: () => Date;
}

/** Checks a bearer token and names its user. */
export type TokenVerifier = (token: string) => Promise<AuthenticatedUser>;

/**
 * HS256 tokens with the shared secret and RS256 tokens with the identity provider's JWKS. The
 * token's `alg` only picks which of the two configured checks runs; each is pinned to its
 * algorithm and key, so a token cannot choose how it is verified (no alg confusion).
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const now = options.now ?? (() => new Date());
  const secretKey = options.secret === undefined ? undefined : hmacKey(options.secret, "verify");
  const { jwks } = options;
  const checked = { clockTolerance: CLOCK_SKEW_SECONDS, requiredClaims: ["exp"] };
  return async (token) => {
    let alg: unknown;
    try {
      ({ alg } = decodeProtectedHeader(token));
    } catch {
      throw new InvalidTokenError("the token is malformed or its signature does not verify");
    }
    const currentDate = now();
    let payload: JWTPayload;
    try {
      if (alg === "HS256" && secretKey) {
        ({ payload } = await jwtVerify(token, await secretKey, { ...checked, algorithms: ["HS256"], currentDate }));
      } else if (alg === "RS256" && jwks) {
        ({ payload } = await jwtVerify(token, jwks.keySet, {
          ...checked,
          algorithms: ["RS256"],
          issuer: jwks.issuer,
          audience: jwks.audience,
          currentDate,
        }));
      } else {
        throw new InvalidTokenError(
          `tokens signed with ${typeof alg === "string" ? alg.slice(0, 10) : "this algorithm"} are not accepted`,
        );
      }
    } catch (err) {
      throw refusal(err);
    }
    return userOf(payload, currentDate);
  };
}
