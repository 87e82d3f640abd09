import { setTimeout as sleep } from "node:timers/promises";
import type { KafkaConnection } from "@checkout-saga/shared";
import kafkajs, { type AclEntry, Kafka, logLevel } from "kafkajs";
import { ProvisionError } from "./provision-error.js";

// kafkajs's ACL enums exist only on its CommonJS export object, not as ES named exports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

export type KafkaOperation = "read" | "write" | "describe" | "delete";

/** One thing a Kafka user may do: `operations` on a topic or consumer group (or every one whose name starts with `name`). */
export interface KafkaGrant {
  resource: "topic" | "group";
  name: string;
  prefixed?: boolean;
  operations: KafkaOperation[];
}

/** A SCRAM user of the broker and what it may do; "all" makes it a super user. */
export interface KafkaUser {
  name: string;
  password: string;
  grants: KafkaGrant[] | "all";
}

/** A kafkajs client that says nothing and gives up at once: for probes. */
export function quietKafka(connection: KafkaConnection): Kafka {
  return new Kafka({
    clientId: "checkout-saga-provision",
    ...connection,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    retry: { retries: 0 },
  });
}

/** How long a new SCRAM credential may take to reach the broker through the metadata log. */
const CREDENTIAL_PROPAGATION_MS = 15_000;

/**
 * Makes every user able to log in with its password: one that cannot (missing, as on storage
 * formatted before users existed, or with another password) is set through `setPassword`
 * (Kafka's ConfigCommand: kafkajs cannot alter SCRAM credentials), then awaited.
 */
export async function ensureScramUsers(
  admin: KafkaConnection,
  users: KafkaUser[],
  setPassword: (user: KafkaUser) => Promise<unknown>,
): Promise<void> {
  for (const user of users) {
    if (await logsIn(admin.brokers, user)) continue;
    await setPassword(user);
    const deadline = Date.now() + CREDENTIAL_PROPAGATION_MS;
    while (!(await logsIn(admin.brokers, user))) {
      if (Date.now() > deadline) {
        throw new ProvisionError(`kafka user ${user.name} still cannot log in after its SCRAM credentials were set`);
      }
      await sleep(200);
    }
  }
}

/**
 * Whether `user` authenticates (SCRAM-SHA-256). A broker that has just started may drop a
 * connection or two: other failures are retried for a few seconds, then thrown.
 */
async function logsIn(brokers: string[], user: KafkaUser): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await attemptLogin(brokers, user);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(250);
    }
  }
}

/** One login attempt: true, false when the broker refuses the credentials, or the error. */
async function attemptLogin(brokers: string[], user: KafkaUser): Promise<boolean> {
  const client = quietKafka({
    brokers,
    sasl: { mechanism: "scram-sha-256", username: user.name, password: user.password },
  }).admin();
  try {
    await client.connect();
    return true;
  } catch (err) {
    if ((err as Error).name === "KafkaJSSASLAuthenticationError") return false;
    throw err;
  } finally {
    await client.disconnect();
  }
}

const OPERATIONS: Record<KafkaOperation, number> = {
  read: AclOperationTypes.READ,
  write: AclOperationTypes.WRITE,
  describe: AclOperationTypes.DESCRIBE,
  delete: AclOperationTypes.DELETE,
};

/** An ACL entry as one comparable string. */
const keyOf = (a: AclEntry) =>
  [a.principal, a.host, a.resourceType, a.resourceName, a.resourcePatternType, a.operation, a.permissionType].join("|");

/**
 * Makes each user's ACLs exactly its grants (as admin): missing ones are created, ones no
 * longer granted are deleted. Users granted "all" are super users and need none.
 */
export async function ensureAcls(admin: KafkaConnection, users: KafkaUser[]): Promise<void> {
  const client = new Kafka({ clientId: "checkout-saga-provision", ...admin, logLevel: logLevel.NOTHING }).admin();
  await client.connect();
  try {
    for (const user of users) {
      if (user.grants === "all") continue;
      const principal = `User:${user.name}`;
      const wanted: AclEntry[] = user.grants.flatMap((g) =>
        g.operations.map((op) => ({
          principal,
          host: "*",
          resourceType: g.resource === "topic" ? AclResourceTypes.TOPIC : AclResourceTypes.GROUP,
          resourceName: g.name,
          resourcePatternType: g.prefixed ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
          operation: OPERATIONS[op],
          permissionType: AclPermissionTypes.ALLOW,
        })),
      );
      const { resources } = await client.describeAcls({
        principal,
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      });
      const have: AclEntry[] = resources.flatMap(({ acls, ...resource }) =>
        acls.map((acl) => ({ ...resource, ...acl })),
      );
      const wantedKeys = new Set(wanted.map(keyOf));
      const stale = have.filter((a) => !wantedKeys.has(keyOf(a)));
      if (stale.length > 0) await client.deleteAcls({ filters: stale });
      const haveKeys = new Set(have.map(keyOf));
      const missing = wanted.filter((a) => !haveKeys.has(keyOf(a)));
      if (missing.length > 0) await client.createAcls({ acl: missing });
    }
  } finally {
    await client.disconnect();
  }
}
