import { describe, expect, it } from "vitest";
import { createJwksKeys, JwksUnavailableError, type PublicJwk } from "./jwks-keys.js";

/** A JWKS endpoint in memory: what it publishes, whether it answers, how often it was asked. */
function fakeJwks(keys: PublicJwk[]) {
  const state = { keys, up: true, requests: 0 };
  const fetch = (async () => {
    state.requests++;
    if (!state.up) return new Response("down", { status: 503 });
    return Response.json({ keys: state.keys });
  }) as typeof globalThis.fetch;
  return { state, fetch };
}

describe("JWKS keys", () => {
  it("fetches once and serves from the cache until the TTL passes", async () => {
    let t = 0;
    const { state, fetch } = fakeJwks([{ kid: "a" }]);
    const jwks = createJwksKeys({ url: "https://id/jwks", fetch, now: () => t, ttlMs: 60_000 });
    expect(await jwks.keys("a")).toEqual([{ kid: "a" }]);
    await jwks.keys("a");
    expect(state.requests).toBe(1);
    t = 60_000;
    await jwks.keys("a");
    expect(state.requests).toBe(2);
  });

  it("refetches for an unknown kid (key rotation), at most once per minRefreshMs", async () => {
    let t = 0;
    const { state, fetch } = fakeJwks([{ kid: "a" }]);
    const jwks = createJwksKeys({ url: "https://id/jwks", fetch, now: () => t, minRefreshMs: 30_000 });
    await jwks.keys("a");
    state.keys = [{ kid: "a" }, { kid: "b" }];
    t = 1_000;
    expect((await jwks.keys("b")).map((k) => k.kid)).toEqual(["a"]);
    expect(state.requests).toBe(1);
    t = 30_000;
    expect((await jwks.keys("b")).map((k) => k.kid)).toEqual(["a", "b"]);
    expect(state.requests).toBe(2);
  });

  it("keeps the last keys when a refetch fails, and fails only with nothing cached", async () => {
    let t = 0;
    const { state, fetch } = fakeJwks([{ kid: "a" }]);
    const jwks = createJwksKeys({ url: "https://id/jwks", fetch, now: () => t, ttlMs: 1_000 });
    await jwks.keys("a");
    state.up = false;
    t = 5_000;
    expect(await jwks.keys("a")).toEqual([{ kid: "a" }]);

    const cold = fakeJwks([]);
    cold.state.up = false;
    const none = createJwksKeys({ url: "https://id/jwks", fetch: cold.fetch });
    await expect(none.keys("a")).rejects.toBeInstanceOf(JwksUnavailableError);
  });
});
