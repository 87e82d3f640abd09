import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from "node:crypto";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../config.js";

/**
 * The public keys callers are checked against, by identity (a credential's `kid`): one per
 * service, the gateway's, and the developer's.
 */
export interface TrustBundle {
  key(identity: string): KeyObject | undefined;
  readonly identities: readonly string[];
}

/** Where a key directory keeps each identity's private key and the shared public bundle. */
export function rpcKeyFiles(dir: string) {
  return {
    dir,
    /** PKCS#8 PEM, mode 0600: only that identity's process reads it. */
    signingKey: (identity: string) => path.join(dir, `${identity}.key.pem`),
    /** A JWKS (RFC 7517) of every identity's public key, `kid` = identity. */
    trustBundle: path.join(dir, "trust-bundle.jwks.json"),
  };
}

/** One public key of a trust bundle as JWKS holds it. */
interface PublicJwk extends JsonWebKey {
  kid: string;
}

/**
 * An Ed25519 key pair for every identity that has none in `dir`, and the trust bundle rewritten
 * from the private keys there. Idempotent: existing keys are kept, so credentials already
 * handed out stay valid; removing one identity's key file and running it again rotates that key.
 */
export async function ensureRpcKeys(
  dir: string,
  identities: readonly string[],
): Promise<ReturnType<typeof rpcKeyFiles>> {
  const files = rpcKeyFiles(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keys: PublicJwk[] = [];
  for (const identity of identities) {
    const file = files.signingKey(identity);
    let pem = await readFile(file, "utf8").catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return undefined;
      throw err;
    });
    if (pem === undefined) {
      pem = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
      // "wx": two starts racing keep whichever key was written first.
      await writeFile(file, pem, { mode: 0o600, flag: "wx" }).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== "EEXIST") throw err;
        pem = await readFile(file, "utf8");
      });
    }
    keys.push(publicJwk(identity, createPrivateKey(pem)));
  }
  const partial = `${files.trustBundle}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify({ keys }, null, 2)}\n`);
  await chmod(partial, 0o644);
  await rename(partial, files.trustBundle);
  return files;
}

function publicJwk(identity: string, privateKey: KeyObject): PublicJwk {
  return { ...createPublicKey(privateKey).export({ format: "jwk" }), kid: identity, alg: "EdDSA", use: "sig" };
}

/** An identity's Ed25519 private key from its PEM file; a missing or foreign file stops start-up, naming it. */
export async function loadSigningKey(file: string): Promise<KeyObject> {
  const pem = await readFile(file, "utf8").catch((err: Error) => {
    throw new ConfigError(`RPC_SIGNING_KEY_FILE: cannot read ${file}: ${err.message}`);
  });
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new ConfigError(`RPC_SIGNING_KEY_FILE: ${file} holds no private key in PEM`);
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new ConfigError(`RPC_SIGNING_KEY_FILE: ${file} holds a ${key.asymmetricKeyType} key; Ed25519 is required`);
  }
  return key;
}

/** A trust bundle from its JWKS file: Ed25519 keys only, each named by its `kid`. */
export async function loadTrustBundle(file: string): Promise<TrustBundle> {
  const text = await readFile(file, "utf8").catch((err: Error) => {
    throw new ConfigError(`RPC_TRUST_BUNDLE_FILE: cannot read ${file}: ${err.message}`);
  });
  let jwks: { keys?: unknown };
  try {
    jwks = JSON.parse(text) as { keys?: unknown };
  } catch {
    throw new ConfigError(`RPC_TRUST_BUNDLE_FILE: ${file} is not JSON`);
  }
  if (!Array.isArray(jwks.keys)) throw new ConfigError(`RPC_TRUST_BUNDLE_FILE: ${file} has no "keys" list (a JWKS)`);
  const keys = new Map<string, KeyObject>();
  for (const jwk of jwks.keys as PublicJwk[]) {
    if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.kid !== "string" || typeof jwk.x !== "string") {
      throw new ConfigError(`RPC_TRUST_BUNDLE_FILE: ${file} has a key that is not an Ed25519 public key with a kid`);
    }
    keys.set(jwk.kid, createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: "jwk" }));
  }
  return trustBundleOf(keys);
}

/** A trust bundle over keys already in memory. */
export function trustBundleOf(keys: ReadonlyMap<string, KeyObject>): TrustBundle {
  return { key: (identity) => keys.get(identity), identities: [...keys.keys()] };
}
