import { createPublicKey, generateKeyPairSync } from "node:crypto";
import {
  createUserAssertions,
  createUserAssertionVerifier,
  GATEWAY,
  trustBundleOf,
  USER_ASSERTION_HEADER,
} from "@checkout-saga/shared";
import type { HandlerContext } from "@connectrpc/connect";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { issueToken } from "../src/auth/tokens.js";
import { type FakeServices, problemOf, SECRET, startTestGateway } from "./fixture.js";

/**
 * The services believe the user only from the assertion the gateway signs: every call made for
 * an authenticated request carries one for the bearer token's user and roles.
 */
describe("user assertions", () => {
  const key = generateKeyPairSync("ed25519").privateKey;
  const verify = createUserAssertionVerifier({ bundle: trustBundleOf(new Map([[GATEWAY, createPublicKey(key)]])) });

  /** A gateway whose cart and inventory fakes write down the assertion each call carried ("" for none). */
  function gatewayRecordingAssertions(options: { signing: boolean }) {
    const seen: string[] = [];
    const record = (ctx: HandlerContext) => seen.push(ctx.requestHeader.get(USER_ASSERTION_HEADER) ?? "");
    const gw = startTestGateway({
      deps: options.signing ? { userAssertions: createUserAssertions({ key }) } : {},
      services: (d: FakeServices) => ({
        cart: {
          ...d.cart,
          getCart(req, ctx) {
            record(ctx);
            return d.cart.getCart!(req, ctx);
          },
        },
        inventory: {
          getStock(req, ctx) {
            record(ctx);
            return d.inventory.getStock!(req, ctx);
          },
        },
      }),
    });
    const as = async (userId: string, roles?: string[]) => ({
      authorization: `Bearer ${await issueToken(SECRET, userId, { roles })}`,
    });
    return { gw, seen, as };
  }

  it("goes with every call of the request, naming the token's user and roles", async () => {
    const { gw, seen, as } = gatewayRecordingAssertions({ signing: true });
    expect((await gw.app.request("/api/v1/cart", { headers: await as("alice", ["admin"]) })).status).toBe(200);
    expect((await gw.app.request("/api/v1/products", { headers: await as("bob") })).status).toBe(200);
    expect(seen).toHaveLength(2);
    expect(await verify(seen[0]!)).toEqual({ userId: "alice", roles: ["admin"] });
    expect(await verify(seen[1]!)).toEqual({ userId: "bob", roles: [] });
  });

  it("is reused for the same user and roles, not signed per request", async () => {
    const { gw, seen, as } = gatewayRecordingAssertions({ signing: true });
    const headers = await as("alice");
    for (let i = 0; i < 3; i++) await gw.app.request("/api/v1/cart", { headers });
    expect(new Set(seen).size).toBe(1);
  });

  it("is not sent by a gateway without a key (credentials off)", async () => {
    const { gw, seen, as } = gatewayRecordingAssertions({ signing: false });
    expect((await gw.app.request("/api/v1/cart", { headers: await as("alice") })).status).toBe(200);
    expect(seen).toEqual([""]);
  });

  it("is never made for a token whose roles claim is not a list of role names", async () => {
    const { gw, seen } = gatewayRecordingAssertions({ signing: true });
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sub: "alice", roles: "admin" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(SECRET));
    const res = await gw.app.request("/api/v1/cart", { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
    expect((await problemOf(res)).detail).toMatch(/roles claim/);
    expect(seen).toEqual([]);
  });
});
