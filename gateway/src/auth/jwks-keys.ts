import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, type JWTVerifyGetKey } from "jose";

/** The JWKS could not be fetched and no earlier copy is at hand: no token can be checked. */
export class JwksUnavailableError extends Error {
  override readonly name = "JwksUnavailableError";
}

export interface JwksKeysOptions {
  url: string;
  /** Injected in tests; the global fetch by default. */
  fetch?: typeof fetch;
  /** How long a fetched key set is used before it is fetched again. */
  cacheMaxAgeMs?: number;
  /** A token with an unknown `kid` refetches the set (key rotation), at most this often. */
  cooldownMs?: number;
  /** Deadline of one fetch. */
  timeoutMs?: number;
}

/** A failure to get the set (network, status, body), as opposed to a token naming no key in it. */
function isFetchFailure(err: unknown): boolean {
  if (err instanceof TypeError || err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return true;
  // jose's plain JOSEError: an answer other than 200, or a body that is not JSON.
  return err instanceof errors.JOSEError && err.code === "ERR_JOSE_GENERIC";
}

/**
 * The identity provider's signing keys: jose's remote JWKS (cached for `cacheMaxAgeMs`, one
 * early refetch per `cooldownMs` for an unknown `kid`, so a rotated key works without a
 * restart). jose forgets nothing but also keeps nothing on a failed refetch: it throws. So when
 * the set cannot be fetched the last one stays in use for another `cooldownMs` before the
 * next try, and only with no keys at all does verification fail (JwksUnavailableError).
 */
export function createJwksKeys(options: JwksKeysOptions): JWTVerifyGetKey {
  const cooldownMs = options.cooldownMs ?? 30_000;
  const remote = createRemoteJWKSet(new URL(options.url), {
    cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000,
    cooldownDuration: cooldownMs,
    timeoutDuration: options.timeoutMs ?? 3_000,
    ...(options.fetch && { [customFetch]: options.fetch }),
  });
  let stale: { keys: JWTVerifyGetKey; until: number } | undefined;
  return async (header, token) => {
    if (stale && Date.now() < stale.until) return stale.keys(header, token);
    stale = undefined;
    try {
      return await remote(header, token);
    } catch (err) {
      if (!isFetchFailure(err)) throw err;
      const last = remote.jwks();
      if (!last) throw new JwksUnavailableError(`cannot fetch the JWKS: ${(err as Error).message}`, { cause: err });
      stale = { keys: createLocalJWKSet(last), until: Date.now() + cooldownMs };
      return stale.keys(header, token);
    }
  };
}
