import type { webcrypto } from "node:crypto";

/** A public key of a JWKS, as hono's JWT helpers take it. */
export interface PublicJwk extends webcrypto.JsonWebKey {
  kid?: string;
}

/** The JWKS could not be fetched and no earlier copy is at hand: no token can be checked. */
export class JwksUnavailableError extends Error {
  override readonly name = "JwksUnavailableError";
}

export interface JwksKeysOptions {
  url: string;
  /** Injected in tests; the global fetch by default. */
  fetch?: typeof fetch;
  /** How long a fetched key set is used before it is fetched again. */
  ttlMs?: number;
  /** A token with an unknown `kid` refetches the set (key rotation), at most this often. */
  minRefreshMs?: number;
  /** Deadline of one fetch. */
  timeoutMs?: number;
  now?: () => number;
}

/** The signing keys of an identity provider, fetched from its JWKS URL and cached. */
export interface JwksKeys {
  /** The current keys; refetched when stale or when `kid` is not among them. */
  keys(kid: string | undefined): Promise<PublicJwk[]>;
}

/**
 * Keys from a JWKS endpoint, cached for `ttlMs`. An unknown `kid` triggers one early refetch
 * (rate-limited), so a rotated key works without a restart. When a refetch fails the previous
 * keys stay in use; only with no keys at all does verification fail (JwksUnavailableError).
 */
export function createJwksKeys(options: JwksKeysOptions): JwksKeys {
  const doFetch = options.fetch ?? fetch;
  const ttlMs = options.ttlMs ?? 10 * 60_000;
  const minRefreshMs = options.minRefreshMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 3_000;
  const now = options.now ?? Date.now;
  let cached: PublicJwk[] | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;

  const load = async () => {
    const res = await doFetch(options.url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: "application/json" },
    });
    if (!res.ok) throw new Error(`JWKS ${options.url} answered ${res.status}`);
    const body = (await res.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error(`JWKS ${options.url} has no "keys" array`);
    cached = body.keys.filter((k): k is PublicJwk => typeof k === "object" && k !== null);
    fetchedAt = now();
  };

  const refresh = async () => {
    inFlight ??= load().finally(() => {
      inFlight = undefined;
    });
    try {
      await inFlight;
    } catch (err) {
      // A failed refresh is retried no sooner than minRefreshMs, and old keys keep working.
      fetchedAt = Math.max(fetchedAt, now() - ttlMs + minRefreshMs);
      if (!cached) throw new JwksUnavailableError(`cannot fetch the JWKS: ${(err as Error).message}`);
    }
  };

  return {
    async keys(kid) {
      const age = now() - fetchedAt;
      const known = cached?.some((k) => k.kid === kid) ?? false;
      if (!cached || age >= ttlMs || (!known && age >= minRefreshMs)) await refresh();
      return cached ?? [];
    },
  };
}
