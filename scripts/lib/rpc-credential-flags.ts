import {
  DEVELOPER,
  loadSigningKey,
  rpcKeyFiles,
  signServiceToken,
  signUserAssertion,
  USER_ASSERTION_HEADER,
} from "@checkout-saga/shared";

/** How long the credentials printed for people live, unless they ask otherwise. */
export const DEVELOPER_CREDENTIAL_TTL_SECONDS = 12 * 3600;

/** What a person's call to one service carries: the developer's credential for it, and optionally a user's assertion. */
export interface CallCredentials {
  authorization: string;
  userAssertion?: string;
  expiresAt: Date;
}

/**
 * Signs, from the key directory, a developer credential for `service` (`cart` or `cart-service`)
 * and, with `user`, that user's assertion with the gateway's key: whoever can read the directory
 * operates the system already.
 */
export async function developerCredentials(
  keysDir: string,
  options: { service: string; user?: { userId: string; roles: string[] }; ttlSeconds: number; now?: Date },
): Promise<CallCredentials> {
  const files = rpcKeyFiles(keysDir);
  const now = options.now ?? new Date();
  const audience = options.service.endsWith("-service") ? options.service : `${options.service}-service`;
  const token = await signServiceToken({
    issuer: DEVELOPER,
    key: await loadSigningKey(files.signingKey(DEVELOPER)),
    audience,
    ttlSeconds: options.ttlSeconds,
    now,
  });
  const userAssertion =
    options.user &&
    (await signUserAssertion({
      key: await loadSigningKey(files.signingKey("gateway")),
      user: options.user,
      ttlSeconds: options.ttlSeconds,
      now,
    }));
  return {
    authorization: `Bearer ${token}`,
    userAssertion,
    expiresAt: new Date(now.getTime() + options.ttlSeconds * 1000),
  };
}

/** The `buf curl` (or grpcurl) flags that carry them. */
export function headerFlags(credentials: CallCredentials): string {
  const flags = [`-H 'authorization: ${credentials.authorization}'`];
  if (credentials.userAssertion) flags.push(`-H '${USER_ASSERTION_HEADER}: ${credentials.userAssertion}'`);
  return flags.join(" ");
}

/**
 * What `npm start` and `npm run stack -- up` print when service credentials are on: a developer
 * credential for every service, and how to get a user's assertion.
 */
export async function credentialBanner(
  keysDir: string,
  services: Array<{ name: string; url: string }>,
  keysDirFlag: string,
): Promise<string> {
  const now = new Date();
  const ttlSeconds = DEVELOPER_CREDENTIAL_TTL_SECONDS;
  const rows = await Promise.all(
    services
      .filter((s) => s.name !== "gateway")
      .map(async (s) => {
        const flags = headerFlags(await developerCredentials(keysDir, { service: s.name, ttlSeconds, now }));
        return `  ${s.name.padEnd(18)} ${s.url}\n    ${flags}`;
      }),
  );
  const expires = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  return [
    `Service credentials are on: every RPC port answers only calls that carry one. buf curl flags`,
    `signed with the developer key (keys in ${keysDir}), valid ${ttlSeconds / 3600} h, until ${expires}:`,
    ...rows,
    `A method that acts as a user (a cart, InitiateCheckout) also needs that user's assertion,`,
    `signed with the gateway's key; fresh flags for both (--help for more):`,
    `  npm run rpc-credentials -- --service cart --user alice${keysDirFlag}`,
  ].join("\n");
}

/** The headers `-H 'name: value'` flags carry. */
export function headersOfFlags(flags: string): Record<string, string> {
  return Object.fromEntries(
    [...flags.matchAll(/-H '([^:']+): ([^']*)'/g)].map((m) => [m[1] ?? "", m[2] ?? ""] as const),
  );
}

/** What a `credentialBanner` offers each service, by name: the headers of its flags. */
export function credentialsInBanner(banner: string): Map<string, Record<string, string>> {
  const found = new Map<string, Record<string, string>>();
  for (const m of banner.matchAll(/^ {2}([a-z]+-service) +\S+\n {4}(-H .*)$/gm)) {
    found.set(m[1] ?? "", headersOfFlags(m[2] ?? ""));
  }
  return found;
}
