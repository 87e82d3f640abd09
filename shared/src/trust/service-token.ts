import type { KeyObject } from "node:crypto";
import type { TrustBundle } from "./rpc-keys.js";
import { type CredentialKind, signCredential, verifiedUntilExpiry, verifyCredential } from "./signed-credential.js";

/**
 * A service credential: `authorization: Bearer <JWT>` on every RPC, signed by the caller's own
 * key. `iss` = `kid` = the caller, `aud` = the service called, so a credential one service
 * received cannot be replayed to another.
 */
export const SERVICE_CREDENTIAL: CredentialKind = {
  typ: "service+jwt",
  reason: "SERVICE_CREDENTIAL",
  noun: "service credential",
};

/** How long a credential a service mints lives: short, since minting one costs ~0.1 ms. */
export const SERVICE_TOKEN_TTL_SECONDS = 300;

/** A credential is minted again when this much of its life is left (or half of it, if shorter). */
const RENEW_BEFORE_EXPIRY_MS = 60_000;

/** One service credential of `issuer` for `audience`. */
export function signServiceToken(options: {
  issuer: string;
  key: KeyObject;
  audience: string;
  ttlSeconds: number;
  now: Date;
}): Promise<string> {
  return signCredential(SERVICE_CREDENTIAL, { ...options, claims: { aud: options.audience } });
}

/** The credential for each service this one calls, minted once and again before it expires. */
export interface ServiceTokens {
  tokenFor(audience: string): Promise<string>;
}

export function createServiceTokens(options: {
  issuer: string;
  key: KeyObject;
  ttlSeconds?: number;
  now?: () => Date;
}): ServiceTokens {
  const ttlMs = (options.ttlSeconds ?? SERVICE_TOKEN_TTL_SECONDS) * 1000;
  const renewAfterMs = Math.max(ttlMs - RENEW_BEFORE_EXPIRY_MS, ttlMs / 2);
  const now = options.now ?? (() => new Date());
  const minted = new Map<string, { token: Promise<string>; renewAt: number }>();
  return {
    tokenFor(audience) {
      const at = now();
      const current = minted.get(audience);
      if (current && current.renewAt > at.getTime()) return current.token;
      const token = signServiceToken({ ...options, audience, ttlSeconds: ttlMs / 1000, now: at });
      // Calls at once share one signing; a failed one is not kept.
      minted.set(audience, { token, renewAt: at.getTime() + renewAfterMs });
      token.catch(() => minted.delete(audience));
      return token;
    },
  };
}

/** Checks a service credential sent to `audience`; answers the caller's identity. */
export function createServiceTokenVerifier(options: {
  audience: string;
  bundle: TrustBundle;
  now?: () => Date;
}): (token: string) => Promise<string> {
  const now = options.now ?? (() => new Date());
  return verifiedUntilExpiry(
    async (token, at) => {
      const payload = await verifyCredential(SERVICE_CREDENTIAL, token, {
        bundle: options.bundle,
        audience: options.audience,
        now: at,
      });
      return { value: payload.iss as string, exp: payload.exp as number };
    },
    { now },
  );
}
