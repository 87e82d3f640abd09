import { createPublicKey } from "node:crypto";
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, envReader } from "../config.js";
import { rpcCredentialSettings } from "./rpc-credential-settings.js";
import { ensureRpcKeys, loadSigningKey, loadTrustBundle } from "./rpc-keys.js";
import { loadRpcTrust } from "./rpc-trust.js";

const IDENTITIES = ["cart-service", "gateway", "developer"];
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "rpc-keys-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ensureRpcKeys", () => {
  it("writes a private key per identity (owner-only) and a bundle of their public keys", async () => {
    const files = await ensureRpcKeys(dir, IDENTITIES);
    const bundle = await loadTrustBundle(files.trustBundle);
    expect([...bundle.identities].sort()).toEqual([...IDENTITIES].sort());
    for (const identity of IDENTITIES) {
      expect((await stat(files.signingKey(identity))).mode & 0o777).toBe(0o600);
      const key = await loadSigningKey(files.signingKey(identity));
      expect(bundle.key(identity)?.equals(createPublicKey(key))).toBe(true);
    }
  });

  it("keeps existing keys, adds missing ones, and rewrites the bundle from the keys", async () => {
    const files = await ensureRpcKeys(dir, IDENTITIES);
    const kept = await readFile(files.signingKey("gateway"), "utf8");
    const rotated = await readFile(files.signingKey("cart-service"), "utf8");
    await unlink(files.signingKey("cart-service"));
    await writeFile(files.trustBundle, '{"keys":[]}');
    await ensureRpcKeys(dir, [...IDENTITIES, "payment-service"]);
    expect(await readFile(files.signingKey("gateway"), "utf8")).toBe(kept);
    expect(await readFile(files.signingKey("cart-service"), "utf8")).not.toBe(rotated);
    const bundle = await loadTrustBundle(files.trustBundle);
    expect([...bundle.identities].sort()).toEqual([...IDENTITIES, "payment-service"].sort());
  });
});

describe("loading keys", () => {
  it("refuses a process whose key the bundle does not hold, before any call would be refused", async () => {
    const files = await ensureRpcKeys(dir, IDENTITIES);
    const settings = {
      required: true,
      signingKeyFile: files.signingKey("gateway"),
      trustBundleFile: files.trustBundle,
    };
    await expect(loadRpcTrust("gateway", settings)).resolves.toMatchObject({ identity: "gateway" });
    await expect(loadRpcTrust("cart-service", settings)).rejects.toThrow(/another public key for cart-service/);
    await expect(loadRpcTrust("orders-service", settings)).rejects.toThrow(/no public key for orders-service/);
  });

  it("names the file it cannot use", async () => {
    await expect(loadSigningKey(path.join(dir, "missing.pem"))).rejects.toThrow(ConfigError);
    await writeFile(path.join(dir, "bundle.json"), '{"keys":[{"kty":"RSA","kid":"x"}]}');
    await expect(loadTrustBundle(path.join(dir, "bundle.json"))).rejects.toThrow(/not an Ed25519 public key/);
  });
});

describe("rpcCredentialSettings", () => {
  const settings = (env: Record<string, string>) => rpcCredentialSettings(envReader(env));

  it("is off unless asked; on, it needs both files and says which is missing", () => {
    expect(settings({})).toEqual({ required: false });
    expect(() => settings({ RPC_CREDENTIALS: "on" })).toThrow(/RPC_SIGNING_KEY_FILE and RPC_TRUST_BUNDLE_FILE/);
    expect(() => settings({ RPC_CREDENTIALS: "on", RPC_SIGNING_KEY_FILE: "k.pem" })).toThrow(
      /: RPC_TRUST_BUNDLE_FILE not set/,
    );
    expect(settings({ RPC_CREDENTIALS: "on", RPC_SIGNING_KEY_FILE: "k", RPC_TRUST_BUNDLE_FILE: "b" })).toEqual({
      required: true,
      signingKeyFile: "k",
      trustBundleFile: "b",
    });
    expect(() => settings({ RPC_CREDENTIALS: "maybe" })).toThrow(/RPC_CREDENTIALS must be true or false/);
  });
});
