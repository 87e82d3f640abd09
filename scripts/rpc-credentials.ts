import path from "node:path";
import { parseArgs } from "node:util";
import {
  ensureRpcKeys,
  MAX_CREDENTIAL_LIFETIME_SECONDS,
  rpcKeyFiles,
  USER_ASSERTION_HEADER,
} from "@checkout-saga/shared";
import { DEVELOPER_CREDENTIAL_TTL_SECONDS, developerCredentials, headerFlags } from "./lib/rpc-credential-flags.js";
import { RPC_IDENTITIES, SERVICES } from "./stack/topology.js";

const repoRoot = path.resolve(import.meta.dirname, "..");
const stackKeysDir = path.join(path.resolve(process.env.STACK_DIR ?? path.join(repoRoot, ".data/stack")), "rpc-keys");
const serviceNames = SERVICES.map((s) => s.name.replace(/-service$/, "")).filter((n) => n !== "gateway");

const usage = `usage: npm run rpc-credentials -- --service NAME [--user ID [--roles LIST]] [--ttl DURATION]
                                   [--keys-dir DIR] [--json]
       npm run rpc-credentials -- --generate [--keys-dir DIR]

Prints the buf curl (or grpcurl) flags that carry a service credential, for calling one service
by hand where service credentials are on (the stack, containers, npm start with RPC_CREDENTIALS=on):

  -H 'authorization: Bearer …'   a credential for that service, signed with the developer key:
                                  the developer may call every method, and counts as an admin
  -H '${USER_ASSERTION_HEADER}: …'       with --user: that user's assertion, signed with the gateway's
                                  key, for methods that act as a user (a cart, InitiateCheckout)

The keys are read from the key directory: whoever can read it operates the system already.

  --service NAME     ${serviceNames.join(", ")} (or the full name, cart-service)
  --user ID          also assert this user
  --roles LIST       the asserted user's roles, comma-separated (admin: admin methods as that user)
  --ttl DURATION     how long both live: 90s, 30m, 12h (default ${DEVELOPER_CREDENTIAL_TTL_SECONDS / 3600}h; at most ${MAX_CREDENTIAL_LIFETIME_SECONDS / 3600}h)
  --keys-dir DIR     the key directory; default the stack's: ${path.relative(process.cwd(), stackKeysDir) || "."}
                     ($STACK_DIR/rpc-keys); npm start's is .data/rpc-keys ($DATA_DIR/rpc-keys)
  --json             {"authorization", "x-user-assertion", "expires_at"} instead of flags
  --generate         write an Ed25519 key pair (<identity>.key.pem) for every identity that has
                     none in the key directory (each service, the gateway, the developer) and the
                     trust bundle of their public keys (trust-bundle.jwks.json), keeping existing
                     keys; for docker compose and Kubernetes see deployments/README.md
  -h, --help         this text

Example (the stack; alice's cart): paste the printed flags into the command, or let the shell do it:
  eval "npx buf curl --http2-prior-knowledge $(npm run -s rpc-credentials -- --service cart --user alice) \\
    -d '{}' http://127.0.0.1:50052/checkoutsaga.cart.v1.CartService/GetCart"

exit codes: 0 done, 1 failed (the reason on stderr), 2 bad arguments`;

class UsageError extends Error {}

/** "90s", "30m", "12h" in seconds. */
function duration(text: string): number {
  const m = /^(\d+)(s|m|h)$/.exec(text);
  if (!m) throw new UsageError(`--ttl must be a number with s, m or h, like 30m or 12h; got "${text}"`);
  const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"];
  if (seconds < 1 || seconds > MAX_CREDENTIAL_LIFETIME_SECONDS) {
    throw new UsageError(`--ttl must be between 1s and ${MAX_CREDENTIAL_LIFETIME_SECONDS / 3600}h; got ${text}`);
  }
  return seconds;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      service: { type: "string" },
      user: { type: "string" },
      roles: { type: "string" },
      ttl: { type: "string" },
      "keys-dir": { type: "string" },
      json: { type: "boolean" },
      generate: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
  });
  if (values.help) return console.log(usage);
  if (positionals.length > 0) throw new UsageError(`unexpected ${positionals.join(" ")}`);
  const keysDir = path.resolve(values["keys-dir"] ?? stackKeysDir);
  if (values.generate) {
    const files = await ensureRpcKeys(keysDir, RPC_IDENTITIES);
    for (const identity of RPC_IDENTITIES) console.log(`${identity.padEnd(18)} ${files.signingKey(identity)}`);
    return console.log(`${"trust bundle".padEnd(18)} ${files.trustBundle}`);
  }
  const service = values.service?.replace(/-service$/, "");
  if (!service) throw new UsageError("--service is required");
  if (!serviceNames.includes(service)) throw new UsageError(`--service must be one of ${serviceNames.join(", ")}`);
  if (values.roles !== undefined && values.user === undefined) throw new UsageError("--roles needs --user");
  const roles = (values.roles ?? "")
    .split(",")
    .map((r) => r.trim())
    .filter((r) => r !== "");
  const credentials = await developerCredentials(keysDir, {
    service,
    user: values.user === undefined ? undefined : { userId: values.user, roles },
    ttlSeconds: values.ttl === undefined ? DEVELOPER_CREDENTIAL_TTL_SECONDS : duration(values.ttl),
  }).catch((err: Error) => {
    throw new Error(
      `${err.message}\n(no keys in ${rpcKeyFiles(keysDir).dir}? npm run stack -- up makes them, or pass --keys-dir)`,
    );
  });
  if (values.json) {
    return console.log(
      JSON.stringify({
        authorization: credentials.authorization,
        ...(credentials.userAssertion ? { [USER_ASSERTION_HEADER]: credentials.userAssertion } : {}),
        expires_at: credentials.expiresAt.toISOString(),
      }),
    );
  }
  console.log(headerFlags(credentials));
}

try {
  await main();
} catch (err) {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    console.error(`${(err as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  console.error(`rpc-credentials: ${(err as Error).message}`);
  process.exit(1);
}
