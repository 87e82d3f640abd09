import type { KeyObject } from "node:crypto";
import { GATEWAY } from "./identities.js";
import type { TrustBundle } from "./rpc-keys.js";
import {
  type CredentialKind,
  refused,
  signCredential,
  verifiedUntilExpiry,
  verifyCredential,
} from "./signed-credential.js";

/** The header a user assertion travels in, beside the caller's own service credential. */
export const USER_ASSERTION_HEADER = "x-user-assertion";

/**
 * Who the end user is, as the gateway vouches after checking their bearer token: `sub` = the
 * user, `roles`, signed by the gateway's key only. Not bound to one audience: it goes with every
 * call made for one request, always beside the caller's own audience-bound service credential,
 * and each method's call policy says which callers may present one.
 */
export const USER_ASSERTION: CredentialKind = {
  typ: "user-assertion+jwt",
  reason: "USER_ASSERTION",
  noun: "user assertion",
};

/** How long an assertion the gateway signs lives: it only has to outlast one request's calls. */
export const USER_ASSERTION_TTL_SECONDS = 60;

/** The admin role: what admin methods require of the user. */
export const ADMIN_ROLE = "admin";

export interface UserAssertion {
  userId: string;
  roles: readonly string[];
}

/** An assertion that `user` (with `roles`) is calling, signed with the gateway's key. */
export function signUserAssertion(options: {
  key: KeyObject;
  user: UserAssertion;
  ttlSeconds: number;
  now: Date;
}): Promise<string> {
  return signCredential(USER_ASSERTION, {
    issuer: GATEWAY,
    key: options.key,
    claims: { sub: options.user.userId, roles: [...options.user.roles] },
    ttlSeconds: options.ttlSeconds,
    now: options.now,
  });
}

/** The gateway's assertions, one per user and roles, signed again when half their life is gone. */
export interface UserAssertions {
  assertionFor(user: UserAssertion): Promise<string>;
}

export function createUserAssertions(options: {
  key: KeyObject;
  ttlSeconds?: number;
  now?: () => Date;
  /** Users remembered at once; past it the oldest is signed again when next seen. */
  limit?: number;
}): UserAssertions {
  const ttlSeconds = options.ttlSeconds ?? USER_ASSERTION_TTL_SECONDS;
  const now = options.now ?? (() => new Date());
  const limit = options.limit ?? 10_000;
  const signed = new Map<string, { assertion: Promise<string>; renewAt: number }>();
  return {
    assertionFor(user) {
      const at = now();
      const id = `${user.userId}\n${user.roles.join(",")}`;
      const current = signed.get(id);
      if (current && current.renewAt > at.getTime()) return current.assertion;
      const assertion = signUserAssertion({ key: options.key, user, ttlSeconds, now: at });
      signed.delete(id);
      if (signed.size >= limit) signed.delete(signed.keys().next().value as string);
      signed.set(id, { assertion, renewAt: at.getTime() + (ttlSeconds * 1000) / 2 });
      assertion.catch(() => signed.delete(id));
      return assertion;
    },
  };
}

/** Checks a user assertion: signed by the gateway, naming a user. */
export function createUserAssertionVerifier(options: {
  bundle: TrustBundle;
  now?: () => Date;
}): (token: string) => Promise<UserAssertion> {
  const now = options.now ?? (() => new Date());
  return verifiedUntilExpiry(
    async (token, at) => {
      const payload = await verifyCredential(USER_ASSERTION, token, {
        bundle: options.bundle,
        signers: [GATEWAY],
        now: at,
      });
      const { sub, roles = [] } = payload;
      if (typeof sub !== "string" || sub === "" || sub.length > 128) {
        throw refused(USER_ASSERTION, "INVALID", "its sub is not a user id");
      }
      if (!Array.isArray(roles) || !roles.every((r) => typeof r === "string")) {
        throw refused(USER_ASSERTION, "INVALID", "its roles are not a list of names");
      }
      return { value: { userId: sub, roles }, exp: payload.exp as number };
    },
    { now },
  );
}
