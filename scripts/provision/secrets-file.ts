import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { ProvisionError } from "./provision-error.js";

/** A fresh password: 32 random bytes, base64url (43 characters, safe in URLs, JAAS strings and shells). */
export function generatePassword(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The passwords named `names`, kept in a JSON file only its owner can read (0600): each is
 * generated the first time it is asked for and read back ever after, so a server's data dir and
 * the settings of the processes that use it agree across restarts. Names already in the file
 * keep their value; a file of looser mode is tightened.
 */
export async function ensureSecrets(file: string, names: readonly string[]): Promise<Record<string, string>> {
  let secrets: Record<string, string> = {};
  if (existsSync(file)) {
    try {
      secrets = JSON.parse(await readFile(file, "utf8")) as Record<string, string>;
    } catch (err) {
      throw new ProvisionError(`${file} is not the JSON of passwords it should be (${(err as Error).message})`);
    }
  }
  const missing = names.filter((n) => typeof secrets[n] !== "string" || secrets[n] === "");
  if (missing.length > 0) {
    for (const name of missing) secrets[name] = generatePassword();
    await mkdir(path.dirname(file), { recursive: true });
    // Written beside and renamed over: a crash never leaves half a file of passwords.
    const scratch = `${file}.${process.pid}.tmp`;
    await writeFile(scratch, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    await rename(scratch, file);
  }
  if (existsSync(file)) await chmod(file, 0o600);
  return secrets;
}

/**
 * Writes `text` to a file only its owner can read (0600), tightening an existing file too:
 * configuration that carries passwords (the broker's JAAS, Redis's ACL file).
 */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  await writeFile(file, text, { mode: 0o600 });
  await chmod(file, 0o600);
}
