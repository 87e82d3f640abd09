import { createPublicKey, type KeyObject } from "node:crypto";
import type { Interceptor } from "@connectrpc/connect";
import { ConfigError } from "../config.js";
import { type CallPolicy, decideCall } from "./call-policy.js";
import { serviceOfRpc } from "./identities.js";
import { rpcCallerKey } from "./rpc-caller.js";
import type { RpcCredentialSettings } from "./rpc-credential-settings.js";
import { loadSigningKey, loadTrustBundle, type TrustBundle } from "./rpc-keys.js";
import { createServiceTokens, createServiceTokenVerifier, SERVICE_CREDENTIAL } from "./service-token.js";
import { type CredentialKind, refused } from "./signed-credential.js";
import {
  createUserAssertionVerifier,
  USER_ASSERTION,
  USER_ASSERTION_HEADER,
  type UserAssertion,
} from "./user-assertion.js";

/** One process's part in service credentials: what it signs its calls with, what it checks calls against. */
export interface RpcTrust {
  /** Who this process is: its credentials' `iss`, the `aud` of the calls it answers. */
  readonly identity: string;
  /** Its private key, when it has one (the gateway also signs user assertions with it). */
  readonly signingKey?: KeyObject;
  /** Client side: this process's credential on every call, for the service called (none without a key). */
  readonly clientInterceptors: Interceptor[];
  /**
   * Server side: every call checked, and its caller decided by the policy of the service it
   * calls (one port may serve several) and left for the handler.
   */
  serverInterceptor(policies: CallPolicy | readonly CallPolicy[]): Interceptor;
}

/**
 * Reads the key files the settings name. The process's own public key must be in the trust
 * bundle as it is: otherwise every service would refuse its calls, and start-up says so instead.
 */
export async function loadRpcTrust(
  identity: string,
  settings: RpcCredentialSettings,
  options: { now?: () => Date } = {},
): Promise<RpcTrust> {
  const signingKey = settings.signingKeyFile === undefined ? undefined : await loadSigningKey(settings.signingKeyFile);
  const bundle = settings.trustBundleFile === undefined ? undefined : await loadTrustBundle(settings.trustBundleFile);
  if (signingKey && bundle && !bundle.key(identity)?.equals(createPublicKey(signingKey))) {
    throw new ConfigError(
      `RPC_TRUST_BUNDLE_FILE (${settings.trustBundleFile}) has ${bundle.key(identity) ? "another" : "no"} public key ` +
        `for ${identity} than RPC_SIGNING_KEY_FILE (${settings.signingKeyFile}): every service would refuse its calls`,
    );
  }
  return createRpcTrust({ identity, required: settings.required, signingKey, bundle, now: options.now });
}

/** Trust over keys already in memory. */
function createRpcTrust(options: {
  identity: string;
  required: boolean;
  signingKey?: KeyObject;
  bundle?: TrustBundle;
  now?: () => Date;
}): RpcTrust {
  const { identity, required, signingKey, bundle, now } = options;
  const tokens = signingKey && createServiceTokens({ issuer: identity, key: signingKey, now });
  const verifyToken = bundle && createServiceTokenVerifier({ audience: identity, bundle, now });
  const verifyAssertion = bundle && createUserAssertionVerifier({ bundle, now });

  const clientInterceptors: Interceptor[] = [];
  if (tokens) {
    clientInterceptors.push((next) => async (req) => {
      // Set, never kept: nothing a caller put in `authorization` travels on as this process's credential.
      req.header.set("authorization", `Bearer ${await tokens.tokenFor(serviceOfRpc(req.service.typeName))}`);
      return next(req);
    });
  }

  const unverifiable = (kind: CredentialKind) =>
    refused(
      kind,
      "UNVERIFIABLE",
      `${identity} has no trust bundle (RPC_TRUST_BUNDLE_FILE) to check one against; send none while its credentials are off`,
    );

  /** The identity of the call's service credential; undefined when it has none and none is required. */
  async function callerOf(authorization: string | null): Promise<string | undefined> {
    if (authorization === null) {
      if (!required) return undefined;
      throw refused(
        SERVICE_CREDENTIAL,
        "MISSING",
        `none sent; every call to ${identity} needs 'authorization: Bearer <credential>' (README: "Calling a service by hand")`,
      );
    }
    const token = /^Bearer +(\S+)$/i.exec(authorization)?.[1];
    if (!token)
      throw refused(SERVICE_CREDENTIAL, "MALFORMED", "the authorization header must be 'Bearer <credential>'");
    if (!verifyToken) throw unverifiable(SERVICE_CREDENTIAL);
    return verifyToken(token);
  }

  /** The call's user assertion, verified, whatever the mode: when one is sent it decides the user. */
  async function assertionOf(header: string | null): Promise<UserAssertion | undefined> {
    if (header === null) return undefined;
    if (!verifyAssertion) throw unverifiable(USER_ASSERTION);
    return verifyAssertion(header.trim());
  }

  return {
    identity,
    signingKey,
    clientInterceptors,
    serverInterceptor(policies) {
      const byService = new Map([policies].flat().map((p) => [p.service.typeName, p]));
      return (next) => async (req) => {
        // Reflection only describes the .proto files the repo publishes; left open so `buf curl`
        // works the same with and without --schema (it sends -H headers to the methods only).
        if (req.service.typeName.startsWith("grpc.reflection.")) return next(req);
        const userId = req.stream ? undefined : (req.message as { userId?: unknown }).userId;
        const presented = {
          identity: await callerOf(req.header.get("authorization")),
          assertion: await assertionOf(req.header.get(USER_ASSERTION_HEADER)),
          requestedUser: typeof userId === "string" ? userId : "",
        };
        const method = `${req.service.typeName}/${req.method.name}`;
        req.contextValues.set(
          rpcCallerKey,
          decideCall(method, byService.get(req.service.typeName)?.method(req.method.localName), presented),
        );
        return next(req);
      };
    },
  };
}
