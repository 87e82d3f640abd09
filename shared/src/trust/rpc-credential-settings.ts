import { ConfigError, type EnvReader } from "../config.js";

/** How a process takes part in service credentials (README, Settings). */
export interface RpcCredentialSettings {
  /**
   * On: every call this process answers must carry a valid service credential. Off: calls
   * without one are trusted as internal (embedded mode's default); credentials and user
   * assertions that do arrive are still checked when a trust bundle is given.
   */
  required: boolean;
  /** This process's Ed25519 private key (PEM): what it signs its calls with. */
  signingKeyFile?: string;
  /** The public keys of every identity (JWKS): what the calls it answers are checked against. */
  trustBundleFile?: string;
}

/**
 * RPC_CREDENTIALS (on/off; off unless the environment says otherwise — a service started as
 * its own process defaults it to on, see runProcess), RPC_SIGNING_KEY_FILE and
 * RPC_TRUST_BUNDLE_FILE. On without both files stops start-up, naming them.
 */
export function rpcCredentialSettings(e: EnvReader): RpcCredentialSettings {
  const required = e.bool("RPC_CREDENTIALS", false);
  const signingKeyFile = e.optionalString("RPC_SIGNING_KEY_FILE");
  const trustBundleFile = e.optionalString("RPC_TRUST_BUNDLE_FILE");
  if (required && (signingKeyFile === undefined || trustBundleFile === undefined)) {
    const missing = [signingKeyFile ? [] : ["RPC_SIGNING_KEY_FILE"], trustBundleFile ? [] : ["RPC_TRUST_BUNDLE_FILE"]];
    throw new ConfigError(
      `RPC_CREDENTIALS is on, so this service needs its key: ${missing.flat().join(" and ")} not set ` +
        "(RPC_SIGNING_KEY_FILE: its private key; RPC_TRUST_BUNDLE_FILE: every caller's public key; " +
        "`npm run rpc-credentials -- --generate` writes both, `npm run stack -- up` does it for the stack)",
    );
  }
  return { required, signingKeyFile, trustBundleFile };
}
