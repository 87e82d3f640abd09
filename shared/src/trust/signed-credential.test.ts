import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { DomainError } from "../errors.js";
import { trustBundleOf } from "./rpc-keys.js";
import {
  createServiceTokens,
  createServiceTokenVerifier,
  SERVICE_CREDENTIAL,
  signServiceToken,
} from "./service-token.js";
import { CLOCK_TOLERANCE_SECONDS, MAX_CREDENTIAL_LIFETIME_SECONDS, signCredential } from "./signed-credential.js";
import { createUserAssertions, createUserAssertionVerifier, signUserAssertion } from "./user-assertion.js";

const keyOf = () => generateKeyPairSync("ed25519").privateKey;
const keys = { gateway: keyOf(), "checkout-service": keyOf(), developer: keyOf() };
const bundle = trustBundleOf(
  new Map(Object.entries(keys).map(([identity, key]) => [identity, createPublicKey(key)] as const)),
);

const T0 = new Date("2026-12-01T12:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** The reason a verification was refused with, or "ok". */
async function outcome(verify: Promise<unknown>): Promise<string> {
  try {
    await verify;
    return "ok";
  } catch (err) {
    if (err instanceof DomainError && err.kind === "unauthenticated") return err.reason;
    throw err;
  }
}

const cartVerifier = (now: Date) => createServiceTokenVerifier({ audience: "cart-service", bundle, now: () => now });
const checkoutToken = (options: { audience?: string; ttlSeconds?: number; now?: Date; key?: KeyObject } = {}) =>
  signServiceToken({
    issuer: "checkout-service",
    key: options.key ?? keys["checkout-service"],
    audience: options.audience ?? "cart-service",
    ttlSeconds: options.ttlSeconds ?? 300,
    now: options.now ?? T0,
  });

/** The token with its payload replaced, its header and signature kept. */
function withPayload(token: string, payload: Record<string, unknown>): string {
  const [header, , signature] = token.split(".");
  return [header, Buffer.from(JSON.stringify(payload)).toString("base64url"), signature].join(".");
}

describe("service credentials", () => {
  it("name their issuer to the service they were minted for", async () => {
    expect(await cartVerifier(T0)(await checkoutToken())).toBe("checkout-service");
  });

  it("are refused once expired, beyond the clock tolerance", async () => {
    const token = await checkoutToken({ ttlSeconds: 300 });
    expect(await outcome(cartVerifier(at(300 + CLOCK_TOLERANCE_SECONDS - 1))(token))).toBe("ok");
    expect(await outcome(cartVerifier(at(300 + CLOCK_TOLERANCE_SECONDS + 1))(token))).toBe(
      "SERVICE_CREDENTIAL_EXPIRED",
    );
  });

  it("are refused by any other service than their audience", async () => {
    const forPayment = await checkoutToken({ audience: "payment-service" });
    expect(await outcome(cartVerifier(T0)(forPayment))).toBe("SERVICE_CREDENTIAL_WRONG_AUDIENCE");
  });

  it("are refused when their signer is not in the trust bundle", async () => {
    const stranger = await signServiceToken({
      issuer: "stranger-service",
      key: keyOf(),
      audience: "cart-service",
      ttlSeconds: 300,
      now: T0,
    });
    expect(await outcome(cartVerifier(T0)(stranger))).toBe("SERVICE_CREDENTIAL_UNKNOWN_ISSUER");
  });

  it("are refused when signed by another key than the one their kid names (forged)", async () => {
    const forged = await checkoutToken({ key: keyOf() });
    expect(await outcome(cartVerifier(T0)(forged))).toBe("SERVICE_CREDENTIAL_BAD_SIGNATURE");
    const byTheGateway = await checkoutToken({ key: keys.gateway });
    expect(await outcome(cartVerifier(T0)(byTheGateway))).toBe("SERVICE_CREDENTIAL_BAD_SIGNATURE");
  });

  it("are refused when their payload was changed after signing", async () => {
    const token = await checkoutToken({ audience: "payment-service" });
    const iat = Math.floor(T0.getTime() / 1000);
    const tampered = withPayload(token, { aud: "cart-service", iss: "checkout-service", iat, exp: iat + 300 });
    expect(await outcome(cartVerifier(T0)(tampered))).toBe("SERVICE_CREDENTIAL_BAD_SIGNATURE");
  });

  it("are refused when their iss is not their signer, whatever the signature", async () => {
    const token = await new SignJWT({ aud: "cart-service" })
      .setProtectedHeader({ alg: "EdDSA", typ: SERVICE_CREDENTIAL.typ, kid: "checkout-service" })
      .setIssuer("gateway")
      .setIssuedAt(T0)
      .setExpirationTime(at(300))
      .sign(keys["checkout-service"]);
    expect(await outcome(cartVerifier(T0)(token))).toBe("SERVICE_CREDENTIAL_INVALID");
  });

  it("are refused when they live too long, are issued in the future, or are no JWT at all", async () => {
    const longLived = await checkoutToken({ ttlSeconds: MAX_CREDENTIAL_LIFETIME_SECONDS + 1 });
    expect(await outcome(cartVerifier(T0)(longLived))).toBe("SERVICE_CREDENTIAL_INVALID");
    const future = await checkoutToken({ now: at(CLOCK_TOLERANCE_SECONDS + 60) });
    expect(await outcome(cartVerifier(T0)(future))).toBe("SERVICE_CREDENTIAL_INVALID");
    expect(await outcome(cartVerifier(T0)("not-a-jwt"))).toBe("SERVICE_CREDENTIAL_MALFORMED");
  });

  it("are not user assertions, nor the other way round (typ)", async () => {
    const assertion = await signUserAssertion({
      key: keys.gateway,
      user: { userId: "alice", roles: [] },
      ttlSeconds: 60,
      now: T0,
    });
    expect(await outcome(cartVerifier(T0)(assertion))).toBe("SERVICE_CREDENTIAL_INVALID");
    const gatewayToken = await signServiceToken({
      issuer: "gateway",
      key: keys.gateway,
      audience: "cart-service",
      ttlSeconds: 60,
      now: T0,
    });
    const assertions = createUserAssertionVerifier({ bundle, now: () => T0 });
    expect(await outcome(assertions(gatewayToken))).toBe("USER_ASSERTION_INVALID");
  });

  it("are verified once, then taken from memory until they expire", async () => {
    const token = await checkoutToken({ ttlSeconds: 300 });
    let now = T0;
    const verify = createServiceTokenVerifier({ audience: "cart-service", bundle, now: () => now });
    await verify(token);
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) await verify(token);
    // Ten thousand signature checks would take about a second; lookups take milliseconds.
    expect(performance.now() - started).toBeLessThan(250);
    now = at(300 + CLOCK_TOLERANCE_SECONDS + 1);
    expect(await outcome(verify(token))).toBe("SERVICE_CREDENTIAL_EXPIRED");
  });

  it("are minted once per audience and again a minute before they expire", async () => {
    let now = T0;
    const tokens = createServiceTokens({ issuer: "checkout-service", key: keys["checkout-service"], now: () => now });
    const first = await tokens.tokenFor("cart-service");
    expect(await tokens.tokenFor("cart-service")).toBe(first);
    expect(await tokens.tokenFor("payment-service")).not.toBe(first);
    now = at(239);
    expect(await tokens.tokenFor("cart-service")).toBe(first);
    now = at(241);
    const renewed = await tokens.tokenFor("cart-service");
    expect(renewed).not.toBe(first);
    expect(await cartVerifier(at(241 + 250))(renewed)).toBe("checkout-service");
  });
});

describe("user assertions", () => {
  const verify = (now = T0) => createUserAssertionVerifier({ bundle, now: () => now });
  const assertion = (options: { key?: KeyObject; issuer?: string; claims?: Record<string, unknown> } = {}) =>
    signCredential(
      { typ: "user-assertion+jwt", reason: "", noun: "" },
      {
        issuer: options.issuer ?? "gateway",
        key: options.key ?? keys.gateway,
        claims: options.claims ?? { sub: "alice", roles: ["admin"] },
        ttlSeconds: 60,
        now: T0,
      },
    );

  it("name the user and roles the gateway signed", async () => {
    expect(await verify()(await assertion())).toEqual({ userId: "alice", roles: ["admin"] });
  });

  it("are refused unless the gateway signed them: another identity's key, or a forged one", async () => {
    const byCheckout = await assertion({ issuer: "checkout-service", key: keys["checkout-service"] });
    expect(await outcome(verify()(byCheckout))).toBe("USER_ASSERTION_FOREIGN_ISSUER");
    const byDeveloper = await assertion({ issuer: "developer", key: keys.developer });
    expect(await outcome(verify()(byDeveloper))).toBe("USER_ASSERTION_FOREIGN_ISSUER");
    expect(await outcome(verify()(await assertion({ key: keyOf() })))).toBe("USER_ASSERTION_BAD_SIGNATURE");
  });

  it("are refused when changed after signing: another user, more roles", async () => {
    const token = await assertion({ claims: { sub: "alice", roles: [] } });
    const iat = Math.floor(T0.getTime() / 1000);
    const asBob = withPayload(token, { sub: "bob", roles: [], iss: "gateway", iat, exp: iat + 60 });
    expect(await outcome(verify()(asBob))).toBe("USER_ASSERTION_BAD_SIGNATURE");
    const asAdmin = withPayload(token, { sub: "alice", roles: ["admin"], iss: "gateway", iat, exp: iat + 60 });
    expect(await outcome(verify()(asAdmin))).toBe("USER_ASSERTION_BAD_SIGNATURE");
  });

  it("are refused without a user, with roles that are no list of names, or expired", async () => {
    expect(await outcome(verify()(await assertion({ claims: { roles: [] } })))).toBe("USER_ASSERTION_INVALID");
    expect(await outcome(verify()(await assertion({ claims: { sub: "alice", roles: "admin" } })))).toBe(
      "USER_ASSERTION_INVALID",
    );
    expect(await outcome(verify(at(60 + CLOCK_TOLERANCE_SECONDS + 1))(await assertion()))).toBe(
      "USER_ASSERTION_EXPIRED",
    );
  });

  it("are signed once per user and roles, and again when half their life is gone", async () => {
    let now = T0;
    const assertions = createUserAssertions({ key: keys.gateway, now: () => now });
    const alice = await assertions.assertionFor({ userId: "alice", roles: [] });
    expect(await assertions.assertionFor({ userId: "alice", roles: [] })).toBe(alice);
    expect(await assertions.assertionFor({ userId: "alice", roles: ["admin"] })).not.toBe(alice);
    expect(await assertions.assertionFor({ userId: "bob", roles: [] })).not.toBe(alice);
    now = at(31);
    expect(await assertions.assertionFor({ userId: "alice", roles: [] })).not.toBe(alice);
  });
});
