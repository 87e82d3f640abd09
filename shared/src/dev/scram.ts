import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";

/**
 * A password as PostgreSQL stores it under SCRAM-SHA-256 (RFC 5802/7677: salt, iteration
 * count, StoredKey, ServerKey). Given to `CREATE/ALTER ROLE … PASSWORD`, the server keeps it as
 * it is, so the password itself never reaches the server's statement log or its memory.
 * `password` must be ASCII (SASLprep leaves that unchanged), as the generated ones are.
 */
export function scramSha256Verifier(password: string, iterations = 4096): string {
  if (!/^[\x20-\x7e]+$/.test(password))
    throw new RangeError("a SCRAM verifier is computed here for printable ASCII only");
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  const b64 = (b: Buffer) => b.toString("base64");
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}
