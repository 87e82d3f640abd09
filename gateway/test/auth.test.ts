import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { issueToken } from "../src/auth/tokens.js";
import { problemOf, SECRET, startTestGateway } from "./fixture.js";

const now = () => Math.floor(Date.now() / 1000);

async function getCart(authorization?: string) {
  const gw = startTestGateway();
  const res = await gw.app.request("/api/v1/cart", { headers: authorization ? { authorization } : {} });
  return res;
}

async function expectInvalidToken(res: Response, detail: RegExp) {
  expect(res.status).toBe(401);
  expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  const p = await problemOf(res);
  expect(p.type).toBe("https://checkout-saga.dev/problems/invalid-token");
  expect(p.detail).toMatch(detail);
}

describe("bearer auth", () => {
  it("accepts a valid token and uses its sub as the user", async () => {
    const res = await getCart(`Bearer ${await issueToken(SECRET, "alice")}`);
    expect(res.status).toBe(200);
  });

  it("refuses a request without a token", async () => {
    await expectInvalidToken(await getCart(), /Authorization: Bearer token is required/);
  });

  it("refuses a header that is not a bearer token", async () => {
    await expectInvalidToken(await getCart("Basic YWxpY2U6c2VjcmV0"), /must be 'Bearer <token>'/);
    await expectInvalidToken(await getCart("Bearer not-a-jwt"), /malformed/);
  });

  it("refuses a token signed with another secret", async () => {
    await expectInvalidToken(
      await getCart(`Bearer ${await issueToken("another-secret-0123456789", "alice")}`),
      /signature/,
    );
  });

  it("refuses an expired token beyond the 30 s skew, accepts one within it", async () => {
    const expired = await sign({ sub: "alice", iat: now() - 3600, exp: now() - 31 }, SECRET, "HS256");
    await expectInvalidToken(await getCart(`Bearer ${expired}`), /expired/);
    const justExpired = await sign({ sub: "alice", iat: now() - 3600, exp: now() - 10 }, SECRET, "HS256");
    expect((await getCart(`Bearer ${justExpired}`)).status).toBe(200);
  });

  it("refuses a token without exp, or without a usable sub", async () => {
    await expectInvalidToken(await getCart(`Bearer ${await sign({ sub: "alice" }, SECRET, "HS256")}`), /exp/);
    const noSub = await sign({ exp: now() + 60 }, SECRET, "HS256");
    await expectInvalidToken(await getCart(`Bearer ${noSub}`), /sub/);
  });

  it("refuses a token signed with another algorithm", async () => {
    const hs512 = await sign({ sub: "alice", exp: now() + 60 }, SECRET, "HS512");
    await expectInvalidToken(await getCart(`Bearer ${hs512}`), /HS512 are not accepted/);
  });

  it("protects products, checkout and orders too", async () => {
    const gw = startTestGateway();
    for (const path of ["/products", "/products/1", "/checkout/co-1", "/orders", "/orders/o-1"]) {
      const res = await gw.call("GET", path, { user: null });
      expect(res.status, path).toBe(401);
    }
  });
});

describe("dev tokens", () => {
  it("issues a usable token when enabled", async () => {
    const gw = startTestGateway();
    const res = await gw.call("POST", "/dev/token", { user: null, body: { user_id: "bob" } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBe(3600);
    const cart = await gw.app.request("/api/v1/cart", { headers: { authorization: `Bearer ${body.token}` } });
    expect(cart.status).toBe(200);
  });

  it("validates the body", async () => {
    const gw = startTestGateway();
    const res = await gw.call("POST", "/dev/token", { user: null, body: { user_id: "" } });
    expect(res.status).toBe(400);
    expect((await problemOf(res)).errors[0]).toMatchObject({ path: "user_id", in: "body" });
  });

  it("does not exist when disabled", async () => {
    const gw = startTestGateway({ env: { AUTH_DEV_TOKENS: "false" } });
    const res = await gw.call("POST", "/dev/token", { user: null, body: { user_id: "bob" } });
    expect(res.status).toBe(404);
    expect((await problemOf(res)).type).toBe("https://checkout-saga.dev/problems/not-found");
  });
});
