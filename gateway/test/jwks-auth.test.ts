import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueToken } from "../src/auth/tokens.js";
import { problemOf, SECRET, startTestGateway } from "./fixture.js";

const now = () => Math.floor(Date.now() / 1000);

/** An RSA key pair as the identity provider holds it: private JWK to sign, public JWK to publish. */
function rsaKey(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = (k: KeyObject) => ({ ...k.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" });
  return { privateJwk: jwk(privateKey), publicJwk: jwk(publicKey) };
}

describe("RS256 bearer tokens from a JWKS (JWT_JWKS_URL)", () => {
  const current = rsaKey("key-1");
  const stranger = rsaKey("key-1");
  const published = [current.publicJwk];
  let jwksRequests = 0;
  let up = true;
  let server: Server;
  let jwksUrl = "";

  beforeAll(async () => {
    server = createServer((_req, res) => {
      jwksRequests++;
      if (!up) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    jwksUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const gateway = (env: Record<string, string> = {}) =>
    startTestGateway({
      env: { JWT_JWKS_URL: jwksUrl, JWT_ISSUER: "https://id.example.com/", JWT_AUDIENCE: "checkout-saga", ...env },
    });
  const claims = (overrides: Record<string, unknown> = {}) => ({
    sub: "alice",
    iss: "https://id.example.com/",
    aud: "checkout-saga",
    iat: now(),
    exp: now() + 300,
    ...overrides,
  });
  const getCart = (gw: ReturnType<typeof gateway>, token: string) =>
    gw.app.request("/api/v1/cart", { headers: { authorization: `Bearer ${token}` } });

  it("accepts a token signed by the provider's key, and the user is its sub", async () => {
    const gw = gateway();
    const res = await getCart(gw, await sign(claims(), current.privateJwk));
    expect(res.status).toBe(200);
    await gw.call("POST", "/cart/items", { user: "alice", body: { product_id: "1", quantity: 1 } });
    const cart = (await (await getCart(gw, await sign(claims(), current.privateJwk))).json()) as { items: unknown[] };
    expect(cart.items).toHaveLength(1);
  });

  it("refuses a wrong issuer, a wrong audience, a missing or expired exp, and a key it does not publish", async () => {
    const gw = gateway();
    const refused = [
      await sign(claims({ iss: "https://evil.example.com/" }), current.privateJwk),
      await sign(claims({ aud: "another-api" }), current.privateJwk),
      await sign(claims({ exp: undefined }), current.privateJwk),
      await sign(claims({ exp: now() - 60 }), current.privateJwk),
      await sign(claims(), stranger.privateJwk),
    ];
    for (const token of refused) {
      const res = await getCart(gw, token);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
      expect((await problemOf(res)).type).toBe("https://checkout-saga.dev/problems/invalid-token");
    }
  });

  it("tolerates 30 s of clock skew on exp", async () => {
    const gw = gateway();
    expect((await getCart(gw, await sign(claims({ exp: now() - 10 }), current.privateJwk))).status).toBe(200);
  });

  it("still accepts HS256 tokens when JWT_SECRET is set, and refuses them when only the JWKS is configured", async () => {
    const hs = await issueToken(SECRET, "alice");
    expect((await getCart(gateway(), hs)).status).toBe(200);
    const jwksOnly = gateway({ JWT_SECRET: "", AUTH_DEV_TOKENS: "false" });
    expect(jwksOnly.config.jwtSecret).toBeUndefined();
    const res = await getCart(jwksOnly, hs);
    expect(res.status).toBe(401);
    expect((await problemOf(res)).detail).toMatch(/HS256 are not accepted/);
  });

  it("answers 503, not 401, while the JWKS cannot be fetched and no keys are cached", async () => {
    up = false;
    try {
      const before = jwksRequests;
      const res = await getCart(gateway(), await sign(claims(), current.privateJwk));
      expect(res.status).toBe(503);
      expect((await problemOf(res)).type).toBe("https://checkout-saga.dev/problems/service-unavailable");
      expect(jwksRequests).toBeGreaterThan(before);
    } finally {
      up = true;
    }
  });
});
