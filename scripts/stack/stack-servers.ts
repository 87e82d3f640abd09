import path from "node:path";
import { startEmbeddedPostgres } from "@checkout-saga/shared/dev";
import { inStep, type Progress } from "../lib/progress.js";
import { closeMaintenanceDatabase, ensureDatabaseOwner } from "../provision/postgres-roles.js";
import { createKafkaTopics, startFerretDb, startKafka, startRedis } from "../provision/servers.js";
import type { StackCredentials } from "./infra-credentials.js";
import { DATABASES, databaseRole, FERRETDB_ROLE, KAFKA_USERS, REDIS_USERS, TOPICS } from "./topology.js";
import type { StackPorts } from "./wiring.js";

/**
 * The servers `npm run stack` provisions, each with the stack's credentials: started (or
 * restarted for a drill) on their ports with their data in the state dir; each returns its stop().
 */
export interface StackServerContext {
  stackDir: string;
  ports: StackPorts;
  credentials: StackCredentials;
  progress: Progress;
}

/** The superuser password of every PostgreSQL the stack made before it generated credentials. */
const PASSWORD_BEFORE_CREDENTIALS = "postgres";

/**
 * PostgreSQL: the superuser (provisioning only) has the generated password (one from before
 * credentials is replaced), and each service database is owned by its role.
 */
export function startStackPostgres({ stackDir, ports, credentials, progress }: StackServerContext) {
  return inStep(
    progress,
    "postgres",
    `starting on 127.0.0.1:${ports.postgres}`,
    async (step) => {
      const pg = await startEmbeddedPostgres({
        dataDir: path.join(stackDir, "postgres"),
        port: ports.postgres,
        password: credentials.postgres.superuser,
        formerPasswords: [PASSWORD_BEFORE_CREDENTIALS],
      });
      try {
        step.update({ text: "giving each service database its owner role" });
        await closeMaintenanceDatabase(pg.url);
        for (const db of DATABASES) {
          await ensureDatabaseOwner(pg.url, {
            database: db,
            role: databaseRole(db),
            password: credentials.postgres.roles[db],
          });
        }
      } catch (err) {
        await pg.stop();
        throw err;
      }
      return pg;
    },
    () => `ready at postgres://127.0.0.1:${ports.postgres}`,
  );
}

/** Redis: one ACL user per client, the default user off. */
export function startStackRedis({ stackDir, ports, credentials, progress }: StackServerContext) {
  return startRedis({
    progress,
    port: ports.redis,
    dataDir: path.join(stackDir, "redis"),
    users: REDIS_USERS.map((u) => ({ name: u.name, keys: u.keys, password: credentials.redis[u.name]! })),
  });
}

/** Kafka: SASL only, a SCRAM user with its ACLs per client, topics created by the admin. */
export async function startStackKafka({ stackDir, ports, credentials, progress }: StackServerContext) {
  const kafka = await startKafka({
    progress,
    port: ports.kafka,
    controllerPort: ports.kafkaController,
    dataDir: path.join(stackDir, "kafka"),
    secrets: credentials.kafka.infra,
    users: KAFKA_USERS.map((u) => ({ ...u, password: credentials.kafka.users[u.name]! })),
  });
  try {
    await inStep(progress, "kafka", "creating its topics", () => createKafkaTopics(kafka.admin, TOPICS));
  } catch (err) {
    await kafka.stop();
    throw err;
  }
  return kafka;
}

/**
 * FerretDB, on a PostgreSQL of its own (in ferretdb/postgres), apart from the services' one:
 * stopping `postgres` in a drill leaves carts up, as a MongoDB of their own would. The cart
 * service's login is the role that owns FerretDB's database.
 */
export function startStackFerretDb({ stackDir, ports, credentials, progress }: StackServerContext) {
  return startFerretDb({
    progress,
    port: ports.ferretdb,
    dataDir: path.join(stackDir, "ferretdb"),
    superuserPassword: credentials.ferretdb.superuser,
    formerSuperuserPasswords: [PASSWORD_BEFORE_CREDENTIALS],
    owner: { role: FERRETDB_ROLE, password: credentials.ferretdb.owner },
  });
}

/** A broker given by env: its topics are created as the user the env names (if any). */
export async function prepareExternalKafka(env: Record<string, string | undefined>) {
  // The services' barrel is large; only this rare path needs it.
  const { parseKafkaSasl } = await import("@checkout-saga/shared");
  const sasl = parseKafkaSasl({
    mechanism: env.KAFKA_SASL_MECHANISM,
    username: env.KAFKA_USERNAME,
    password: env.KAFKA_PASSWORD,
  });
  await createKafkaTopics({ brokers: (env.KAFKA_BROKERS ?? "").split(","), sasl }, TOPICS);
}
