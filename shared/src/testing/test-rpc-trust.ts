import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Interceptor, Transport } from "@connectrpc/connect";
import { createServiceTransport } from "../rpc-client.js";
import type { RpcCredentialSettings } from "../trust/rpc-credential-settings.js";
import { ensureRpcKeys } from "../trust/rpc-keys.js";
import { loadRpcTrust } from "../trust/rpc-trust.js";
import { signUserAssertion, USER_ASSERTION_HEADER, type UserAssertion } from "../trust/user-assertion.js";

/**
 * Service credentials on, for a test about who may call what: keys for `identities` (the
 * gateway's among them, which signs user assertions) in a temporary folder, each identity's
 * settings, and a transport that calls as one identity, for a user when one is given.
 */
export async function createTestRpcTrust(identities: readonly string[]) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "test-rpc-trust-"));
  const files = await ensureRpcKeys(dir, [...new Set([...identities, "gateway"])]);
  const settingsOf = (identity: string): RpcCredentialSettings => ({
    required: true,
    signingKeyFile: files.signingKey(identity),
    trustBundleFile: files.trustBundle,
  });
  const gatewayKey = (await loadRpcTrust("gateway", settingsOf("gateway"))).signingKey;
  return {
    settingsOf,
    /** Calls `url` as `identity`, with `user`'s assertion signed by the gateway when given. */
    async transportAs(identity: string, url: string, user?: UserAssertion): Promise<Transport> {
      const interceptors: Interceptor[] = [...(await loadRpcTrust(identity, settingsOf(identity))).clientInterceptors];
      if (user && gatewayKey) {
        const assertion = await signUserAssertion({ key: gatewayKey, user, ttlSeconds: 300, now: new Date() });
        interceptors.push((next) => (req) => {
          req.header.set(USER_ASSERTION_HEADER, assertion);
          return next(req);
        });
      }
      return createServiceTransport(url, interceptors);
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
