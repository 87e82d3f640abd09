import type { KeyObject } from "node:crypto";
import { decodeProtectedHeader, errors, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { DomainError } from "../errors.js";
import type { TrustBundle } from "./rpc-keys.js";

/** Clocks of signer and verifier may disagree this much. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/** No credential lives longer, whatever it says: a leaked one is worth a day at most. */
export const MAX_CREDENTIAL_LIFETIME_SECONDS = 24 * 3600;

/** What a signed credential is: its JWT `typ`, and the name its refusals use. */
export interface CredentialKind {
  /** Explicit typing (RFC 8725 §3.11): a credential of one kind never passes as the other. */
  typ: string;
  /** `SERVICE_CREDENTIAL`, `USER_ASSERTION`: the prefix of every refusal's reason. */
  reason: string;
  /** "service credential", "user assertion": how refusals name it. */
  noun: string;
}

/** An EdDSA JWT of `kind`, signed by `issuer` (also its `kid`), living `ttlSeconds` from `now`. */
export function signCredential(
  kind: CredentialKind,
  options: { issuer: string; key: KeyObject; claims: JWTPayload; ttlSeconds: number; now: Date },
): Promise<string> {
  const iat = Math.floor(options.now.getTime() / 1000);
  return new SignJWT(options.claims)
    .setProtectedHeader({ alg: "EdDSA", typ: kind.typ, kid: options.issuer })
    .setIssuer(options.issuer)
    .setIssuedAt(iat)
    .setExpirationTime(iat + options.ttlSeconds)
    .sign(options.key);
}

/** A refused credential: UNAUTHENTICATED with a reason the caller can act on. */
export function refused(kind: CredentialKind, problem: string, message: string): DomainError {
  return new DomainError("unauthenticated", `${kind.reason}_${problem}`, `${kind.noun}: ${message}`);
}

export interface VerifyOptions {
  bundle: TrustBundle;
  now: Date;
  /** The `aud` it must carry (a service credential: the service verifying it). */
  audience?: string;
  /** Only these signers are accepted (a user assertion: the gateway); any identity in the bundle when absent. */
  signers?: readonly string[];
}

/**
 * Checks a credential of `kind`: an EdDSA signature by the key of the identity its `kid` names,
 * issued by that same identity (`iss`), of the right `typ`, `aud` when asked, not expired
 * (`CLOCK_TOLERANCE_SECONDS` of skew allowed), not issued in the future, living at most
 * `MAX_CREDENTIAL_LIFETIME_SECONDS`. Refusals are UNAUTHENTICATED DomainErrors saying why.
 */
export async function verifyCredential(
  kind: CredentialKind,
  token: string,
  options: VerifyOptions,
): Promise<JWTPayload> {
  let kid: unknown;
  try {
    ({ kid } = decodeProtectedHeader(token));
  } catch {
    throw refused(kind, "MALFORMED", "not a JWT");
  }
  if (typeof kid !== "string") throw refused(kind, "MALFORMED", "no kid naming its signer");
  const shown = JSON.stringify(kid.slice(0, 64));
  const key = options.bundle.key(kid);
  if (!key) throw refused(kind, "UNKNOWN_ISSUER", `its signer ${shown} is not in this service's trust bundle`);
  if (options.signers && !options.signers.includes(kid)) {
    throw refused(kind, "FOREIGN_ISSUER", `signed by ${shown}; only ${options.signers.join(", ")} may sign one`);
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ["EdDSA"],
      typ: kind.typ,
      issuer: kid,
      audience: options.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: options.now,
      requiredClaims: ["iat", "exp"],
    }));
  } catch (err) {
    throw refusal(kind, err, options.audience);
  }
  const nowSeconds = Math.floor(options.now.getTime() / 1000);
  const iat = payload.iat as number;
  const exp = payload.exp as number;
  if (iat - CLOCK_TOLERANCE_SECONDS > nowSeconds) throw refused(kind, "INVALID", "issued in the future");
  if (exp - iat > MAX_CREDENTIAL_LIFETIME_SECONDS) {
    throw refused(kind, "INVALID", `lives ${exp - iat} s, longer than ${MAX_CREDENTIAL_LIFETIME_SECONDS} s`);
  }
  return payload;
}

/** jose's refusals, said in terms of the credential. */
function refusal(kind: CredentialKind, err: unknown, audience: string | undefined): unknown {
  if (err instanceof errors.JWTExpired) return refused(kind, "EXPIRED", "expired; ask for a fresh one");
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === "aud") return refused(kind, "WRONG_AUDIENCE", `not meant for ${audience}`);
    if (err.claim === "iss") return refused(kind, "INVALID", "its iss is not the identity whose key signed it");
    if (err.claim === "typ") return refused(kind, "INVALID", `not a ${kind.noun} (typ ${kind.typ} expected)`);
    return refused(kind, "INVALID", `its ${err.claim} claim is not accepted`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return refused(kind, "BAD_SIGNATURE", "its signature does not verify with its signer's key");
  }
  if (err instanceof errors.JOSEError) return refused(kind, "MALFORMED", "not a well-formed EdDSA JWT");
  return err;
}

/**
 * Remembers what verifying a credential gave, by the credential itself, until it expires: a
 * credential is verified once and then costs a map lookup per call. Refusals are not kept.
 * Bounded: past `limit` entries the oldest goes.
 */
export function verifiedUntilExpiry<T>(
  verify: (token: string, now: Date) => Promise<{ value: T; exp: number }>,
  options: { now: () => Date; limit?: number },
): (token: string) => Promise<T> {
  const limit = options.limit ?? 10_000;
  const verified = new Map<string, { value: T; expiresAtMs: number }>();
  return async (token) => {
    const now = options.now();
    const hit = verified.get(token);
    if (hit && hit.expiresAtMs > now.getTime()) return hit.value;
    const { value, exp } = await verify(token, now);
    verified.delete(token);
    if (verified.size >= limit) verified.delete(verified.keys().next().value as string);
    verified.set(token, { value, expiresAtMs: exp * 1000 });
    return value;
  };
}
