import path from "node:path";
import { KAFKA_SCRAM_MECHANISM } from "../provision/kafka.js";
import type { StackCredentials } from "./infra-credentials.js";
import { type DatabaseName, databaseRole, FERRETDB_ROLE, SERVER_PORTS, SERVICES, type ServerName } from "./topology.js";

type Env = Record<string, string | undefined>;

/** Where a stack keeps its state and logs: STACK_DIR, or .data/stack in the repo. */
export function stackDirOf(env: Env, repoRoot: string): string {
  return path.resolve(env.STACK_DIR ?? path.join(repoRoot, ".data/stack"));
}

export interface StackPorts {
  postgres: number;
  redis: number;
  kafka: number;
  kafkaController: number;
  ferretdb: number;
}

/** The servers' ports: the topology's, each overridable by its STACK_*_PORT. */
export function stackPorts(env: Env): StackPorts {
  const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
  return {
    postgres: port("STACK_POSTGRES_PORT", SERVER_PORTS.postgres),
    redis: port("STACK_REDIS_PORT", SERVER_PORTS.redis),
    kafka: port("STACK_KAFKA_PORT", SERVER_PORTS.kafka),
    kafkaController: port("STACK_KAFKA_CONTROLLER_PORT", SERVER_PORTS.kafkaController),
    ferretdb: port("STACK_FERRETDB_PORT", SERVER_PORTS.ferretdb),
  };
}

/** A service database as its owner role sees it. */
export function roleDatabaseUrl(db: DatabaseName, credentials: StackCredentials, ports: StackPorts): string {
  return `postgres://${databaseRole(db)}:${credentials.postgres.roles[db]}@127.0.0.1:${ports.postgres}/${db}`;
}

/** A database of the stack's PostgreSQL as its superuser (provisioning, tests, benchmarks). */
export function superuserDatabaseUrl(db: string, credentials: StackCredentials, ports: StackPorts): string {
  return `postgres://postgres:${credentials.postgres.superuser}@127.0.0.1:${ports.postgres}/${db}`;
}

/** The processes that get server settings from the stack: its services, and the outbox CLI run by hand. */
export const CREDENTIALED_PROCESSES = [...SERVICES.map((s) => s.name), "outbox-cli"];

/**
 * The server settings one process gets: where each server it uses is and who it is there —
 * its own credentials only (payment-service never sees the checkout database's password).
 * Servers in `external` were given by the caller's env, which then says where and as whom.
 */
export function serverEnv(
  name: string,
  credentials: StackCredentials,
  ports: StackPorts,
  external: ReadonlySet<ServerName> = new Set(),
): Record<string, string> {
  const spec =
    name === "outbox-cli"
      ? { database: "checkout" as const, kafkaUser: "outbox-cli", mongodb: false, redisUser: undefined }
      : SERVICES.find((s) => s.name === name);
  if (!spec) throw new Error(`no process named ${name}; known: ${CREDENTIALED_PROCESSES.join(", ")}`);
  const env: Record<string, string> = {};
  if (spec.database && !external.has("postgres")) {
    env[`${spec.database.toUpperCase()}_DATABASE_URL`] = roleDatabaseUrl(spec.database, credentials, ports);
  }
  if (spec.mongodb && !external.has("ferretdb")) {
    // FerretDB takes the login (SASL PLAIN) to PostgreSQL as the role it names.
    env.MONGODB_URI = `mongodb://${FERRETDB_ROLE}:${credentials.ferretdb.owner}@127.0.0.1:${ports.ferretdb}/cart?authMechanism=PLAIN`;
  }
  if (spec.redisUser && !external.has("redis")) {
    env.REDIS_URL = `redis://${spec.redisUser}:${credentials.redis[spec.redisUser]}@127.0.0.1:${ports.redis}`;
  }
  if (spec.kafkaUser && !external.has("kafka")) {
    env.KAFKA_BROKERS = `127.0.0.1:${ports.kafka}`;
    env.KAFKA_SASL_MECHANISM = KAFKA_SCRAM_MECHANISM;
    env.KAFKA_USERNAME = spec.kafkaUser;
    env.KAFKA_PASSWORD = credentials.kafka.users[spec.kafkaUser]!;
  }
  return env;
}
