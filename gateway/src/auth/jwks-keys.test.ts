import { errors, exportJWK, generateKeyPair, type JWK } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createJwksKeys, JwksUnavailableError } from "./jwks-keys.js";

/** A JWKS endpoint in memory: what it publishes, whether it answers, how often it was asked. */
function fakeJwks(keys: JWK[]) {
  const state = { keys, up: true, requests: 0 };
  const fetch = (async () => {
    state.requests++;
    if (!state.up) return new Response("down", { status: 503 });
    return Response.json({ keys: state.keys });
  }) as typeof globalThis.fetch;
  return { state, fetch };
}

async function publicJwk(kid: string): Promise<JWK> {
  const { publicKey } = await generateKeyPair("RS256");
  return { ...(await exportJWK(publicKey)), kid, alg: "RS256" };
}

/** The key for a token whose header names `kid` (the token body is not looked at). */
const keyFor = (keys: ReturnType<typeof createJwksKeys>, kid: string) =>
  keys({ alg: "RS256", kid }, { payload: "", signature: "" });

describe("JWKS keys", () => {
  let a: JWK;
  let b: JWK;
  beforeEach(async () => {
    [a, b] = await Promise.all([publicJwk("a"), publicJwk("b")]);
    vi.useFakeTimers({ toFake: ["Date"], now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fetches once and serves from the cache until cacheMaxAge passes", async () => {
    const { state, fetch } = fakeJwks([a]);
    const jwks = createJwksKeys({ url: "https://id/jwks", fetch, cacheMaxAgeMs: 60_000 });
    await keyFor(jwks, "a");
    await keyFor(jwks, "a");
    expect(state.requests).toBe(1);
    vi.setSystemTime(60_000);
    await keyFor(jwks, "a");
    expect(state.requests).toBe(2);
  });

  it("refetches for an unknown kid (key rotation), at most once per cooldown", async () => {
    const { state, fetch } = fakeJwks([a]);
    const jwks = createJwksKeys({ url: "https://id/jwks", fetch, cooldownMs: 30_000 });
    await keyFor(jwks, "a");
    state.keys = [a, b];
    vi.setSystemTime(1_000);
    await expect(keyFor(jwks, "b")).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(state.requests).toBe(1);
    vi.setSystemTime(30_000);
    await expect(keyFor(jwks, "b")).resolves.toBeDefined();
    expect(state.requests).toBe(2);
  });

  it("keeps the last keys while a refetch fails, retrying once per cooldown, and fails only with nothing cached", async () => {
    const { state, fetch } = fakeJwks([a]);
    const jwks = createJwksKeys({ url: "https://id/jwks", fetch, cacheMaxAgeMs: 1_000, cooldownMs: 30_000 });
    await keyFor(jwks, "a");
    state.up = false;
    vi.setSystemTime(5_000);
    await expect(keyFor(jwks, "a")).resolves.toBeDefined();
    await expect(keyFor(jwks, "a")).resolves.toBeDefined();
    expect(state.requests).toBe(2);
    vi.setSystemTime(35_000);
    state.up = true;
    await keyFor(jwks, "a");
    expect(state.requests).toBe(3);

    const cold = fakeJwks([]);
    cold.state.up = false;
    const none = createJwksKeys({ url: "https://id/jwks", fetch: cold.fetch });
    await expect(keyFor(none, "a")).rejects.toBeInstanceOf(JwksUnavailableError);
  });
});
