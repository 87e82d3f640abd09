import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { migratePostgres } from "@checkout-saga/shared";
import { startEmbeddedPostgres } from "@checkout-saga/shared/dev";
import { Kafka, logLevel } from "kafkajs";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runE2EScenario } from "../lib/e2e-scenario.js";
import { tryListTopics, tryPostgres } from "../lib/raw-clients.js";
import { isolatedStackEnv, runStack, stackLogTails } from "../lib/stack-process.js";
import { spawnServer, waitUntilReady } from "../provision/server-process.js";
import { installKafka, startFerretDb } from "../provision/servers.js";
import { runTool } from "../provision/tools.js";
import { readStackCredentials, type StackCredentials } from "../stack/infra-credentials.js";
import { DATABASES, FERRETDB_ROLE, TOPICS } from "../stack/topology.js";
import { roleDatabaseUrl, type StackPorts, stackPorts } from "../stack/wiring.js";

/**
 * A state dir made by `npm run stack -- up` before the servers took credentials — PostgreSQL
 * with the fixed superuser password and tables migrated by that superuser, FerretDB open to
 * anyone (as the superuser), Kafka on PLAINTEXT with storage formatted without users — is
 * upgraded in place by the next `up`: same data, now behind the roles and users.
 */

const repoRoot = path.resolve(import.meta.dirname, "../..");
let stack: Awaited<ReturnType<typeof isolatedStackEnv>>;
let ports: StackPorts;
let up: { code: number | null; output: string };
let credentials: StackCredentials;

beforeAll(async () => {
  stack = await isolatedStackEnv("checkout-saga-upgrade-");
  ports = stackPorts(stack.env);
  await Promise.all([legacyPostgres(), legacyFerretDb(), legacyKafka()]);
  up = await runStack(stack.env, "up");
  if (up.code !== 0) up.output += `\n${await stackLogTails(stack.stackDir)}`;
  else credentials = readStackCredentials(stack.stackDir);
}, 600_000);

afterAll(async () => {
  if (!stack) return;
  await runStack(stack.env, "down");
  // A server may still be flushing its last log lines as `down` returns: retry a non-empty dir.
  await rm(stack.stackDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}, 120_000);

/** PostgreSQL as the stack made it: superuser postgres/postgres, each database migrated by it, a row of data. */
async function legacyPostgres() {
  const pg = await startEmbeddedPostgres({ dataDir: path.join(stack.stackDir, "postgres"), port: ports.postgres });
  try {
    // The catalog moved to PostgreSQL after that stack: it had no product database, `up` makes it.
    for (const db of DATABASES.filter((name) => name !== "product")) {
      await pg.ensureDatabase(db);
      await migratePostgres(pg.url(db), path.join(repoRoot, `${db}-service`, "drizzle"), 1);
    }
    const sql = await tryPostgres(
      pg.url("checkout"),
      "create table legacy_note (note text); insert into legacy_note values ('made before credentials')",
    );
    expect(sql.ok).toBe(true);
  } finally {
    await pg.stop();
  }
}

/** FerretDB as the stack started it: every client is the superuser; a document written that way. */
async function legacyFerretDb() {
  const ferret = await startFerretDb({ port: ports.ferretdb, dataDir: path.join(stack.stackDir, "ferretdb") });
  const client = new MongoClient(`${ferret.uri}cart`, { directConnection: true });
  try {
    await client.db("cart").collection<{ _id: string }>("legacy_notes").insertOne({ _id: "made-before-credentials" });
  } finally {
    await client.close();
    await ferret.stop();
  }
}

/** Kafka as the stack ran it: PLAINTEXT listeners, no users, the topics, and a message on the dead-letter topic. */
async function legacyKafka() {
  const { location: home } = await installKafka();
  const dataDir = path.join(stack.stackDir, "kafka");
  const logDir = path.join(dataDir, "log");
  await mkdir(logDir, { recursive: true });
  const properties = path.join(dataDir, "server.properties");
  await writeFile(
    properties,
    [
      "process.roles=broker,controller",
      "node.id=1",
      `controller.quorum.voters=1@127.0.0.1:${ports.kafkaController}`,
      `listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.kafkaController}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka}`,
      "inter.broker.listener.name=PLAINTEXT",
      "controller.listener.names=CONTROLLER",
      "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
      `log.dirs=${logDir}`,
      "auto.create.topics.enable=false",
      "offsets.topic.replication.factor=1",
      "offsets.topic.num.partitions=10",
      "transaction.state.log.replication.factor=1",
      "transaction.state.log.min.isr=1",
      "",
    ].join("\n"),
  );
  const classpath = `${path.join(home, "libs")}/*`;
  await runTool(
    "java",
    ["-cp", classpath, "kafka.tools.StorageTool", "format", "-t", "LegacyStackClusterId1", "-c", properties],
    {
      what: "formatting a legacy Kafka storage",
    },
  );
  const logFile = path.join(dataDir, "kafka.log");
  const server = spawnServer({
    name: "legacy kafka",
    command: "java",
    args: ["-Xmx512m", "-cp", classpath, "kafka.Kafka", properties],
    logFile,
  });
  try {
    const kafka = new Kafka({ clientId: "legacy", brokers: [`127.0.0.1:${ports.kafka}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await waitUntilReady(server, () => admin.connect(), { timeoutMs: 90_000, logFile });
    await admin.createTopics({
      waitForLeaders: true,
      topics: TOPICS.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: 1 })),
    });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: "checkout-events.dlq",
      acks: -1,
      messages: [{ key: "legacy", value: "made before" }],
    });
    await producer.disconnect();
  } finally {
    await server.stop(30_000);
  }
}

describe("a state dir from before credentials", () => {
  it("is brought up by `stack up`, every server and service ready", () => {
    expect(up.code, up.output).toBe(0);
    expect(up.output).toContain("stack: ready");
  });

  it("PostgreSQL: the old superuser password is refused; the roles own, and read, what the superuser made", async () => {
    expect(
      await tryPostgres(`postgres://postgres:postgres@127.0.0.1:${ports.postgres}/checkout`, "select 1"),
    ).toMatchObject({
      ok: false,
      code: "28P01",
    });
    expect(await tryPostgres(roleDatabaseUrl("checkout", credentials, ports), "select note from legacy_note")).toEqual({
      ok: true,
      rows: [{ note: "made before credentials" }],
    });
    for (const db of DATABASES) {
      const foreign = await tryPostgres(
        roleDatabaseUrl(db, credentials, ports),
        `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname !~ '^pg_' and n.nspname <> 'information_schema' and c.relowner <> (select oid from pg_roles where rolname = current_user)`,
      );
      expect(foreign, db).toEqual({ ok: true, rows: [] });
    }
  });

  it("FerretDB: the document is there for the cart's role, and nothing for an anonymous client", async () => {
    const login = `${FERRETDB_ROLE}:${credentials.ferretdb.owner}`;
    const owner = new MongoClient(`mongodb://${login}@127.0.0.1:${ports.ferretdb}/cart?authMechanism=PLAIN`, {
      directConnection: true,
    });
    const anonymous = new MongoClient(`mongodb://127.0.0.1:${ports.ferretdb}/cart`, {
      directConnection: true,
      serverSelectionTimeoutMS: 3_000,
    });
    try {
      expect(await owner.db("cart").collection("legacy_notes").countDocuments()).toBe(1);
      await expect(anonymous.db("cart").collection("legacy_notes").countDocuments()).rejects.toThrow();
    } finally {
      await owner.close();
      await anonymous.close();
    }
  });

  it("Kafka: topics and messages kept, users added, anonymous clients refused", async () => {
    expect(await tryListTopics({ brokers: [`127.0.0.1:${ports.kafka}`] })).toMatchObject({ ok: false });
    const admin = new Kafka({
      clientId: "upgrade-check",
      brokers: [`127.0.0.1:${ports.kafka}`],
      sasl: { mechanism: "plain", username: "admin", password: credentials.kafka.infra.admin },
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const [dlq] = await admin.fetchTopicOffsets("checkout-events.dlq");
      expect(dlq?.high).toBe("1");
    } finally {
      await admin.disconnect();
    }
  });

  it("works end to end: the e2e scenario passes on the upgraded stack", async () => {
    await runE2EScenario(stack.gatewayUrl, () => {});
  }, 120_000);
});
