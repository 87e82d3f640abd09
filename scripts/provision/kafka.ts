import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { KafkaConnection, KafkaSasl } from "@checkout-saga/shared";
import { freePort } from "@checkout-saga/shared/dev";
import { Kafka, logLevel } from "kafkajs";
import { createProgress, inStep, type Progress } from "../lib/progress.js";
import { ensureCached, provisionCacheDir, reportGrowth } from "./cache.js";
import { ensureAcls, ensureScramUsers, type KafkaUser, quietKafka } from "./kafka-access.js";
import { ProvisionError } from "./provision-error.js";
import type { ProvisionResult } from "./provision-result.js";
import { ensureSecrets, writePrivateFile } from "./secrets-file.js";
import { assertPortFree, spawnServer, waitUntilReady } from "./server-process.js";
import { requireTool, runJavaWithArgFile, runTool } from "./tools.js";

/** kafkajs 2.2.4 is happiest with a 3.9 broker (see platform facts). */
export const KAFKA_VERSION = "3.9.1";

/** The Maven project that resolves the broker and its runtime dependencies, with a log binding. */
const POM = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>checkout-saga</groupId>
  <artifactId>kafka-server</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>${KAFKA_VERSION}</version>
    </dependency>
    <!-- Kafka's own command-line tools (console consumer, topics, consumer groups) for operators. -->
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>${KAFKA_VERSION}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>1.7.36</version>
    </dependency>
    <dependency>
      <groupId>ch.qos.reload4j</groupId>
      <artifactId>reload4j</artifactId>
      <version>1.2.25</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
      </plugin>
    </plugins>
  </build>
</project>
`;

/** The Kafka broker's jars, from Maven Central into the cache (once per machine). */
export async function installKafka(progress: Progress = createProgress()): Promise<ProvisionResult> {
  const cache = provisionCacheDir();
  // The pom's hash in the name: a changed dependency list gets a fresh folder, never a stale one.
  const pomHash = createHash("sha256").update(POM).digest("hex").slice(0, 8);
  const home = path.join(cache, `kafka-${KAFKA_VERSION}-${pomHash}`);
  const installed = await ensureCached(home, async (scratch) => {
    requireTool(
      "java",
      "to run Kafka",
      "install a Java 17+ runtime, e.g. `apt-get install -y openjdk-17-jre-headless`",
    );
    const mvn = requireTool("mvn", "to fetch the Kafka jars from Maven Central", "`apt-get install -y maven`");
    await writeFile(path.join(scratch, "pom.xml"), POM);
    // A throwaway local repository: the copied jars are all that is kept.
    const repository = path.join(scratch, "maven-repository");
    const jars = `the ${KAFKA_VERSION} jars from Maven Central`;
    await inStep(
      progress,
      "kafka",
      `fetching ${jars}`,
      async (step) => {
        // mvn -q prints nothing while it downloads; the repository's size is how far it got.
        const stopReporting = reportGrowth(repository, step);
        try {
          await runTool(
            mvn,
            [
              "-B",
              "-q",
              "--no-transfer-progress",
              `-Dmaven.repo.local=${repository}`,
              "dependency:copy-dependencies",
              "-DincludeScope=runtime",
              `-DoutputDirectory=${path.join(scratch, "libs")}`,
            ],
            { cwd: scratch, what: `resolving org.apache.kafka:kafka_2.13:${KAFKA_VERSION} from Maven Central` },
          );
        } finally {
          stopReporting();
        }
      },
      () => `fetched ${jars}`,
    );
    await rm(repository, { recursive: true, force: true });
  });
  requireTool("java", "to run Kafka", "install a Java 17+ runtime, e.g. `apt-get install -y openjdk-17-jre-headless`");
  const jars = (await readdir(path.join(home, "libs"))).length;
  if (!installed) progress.cached("kafka", `${KAFKA_VERSION} (${jars} jars) in ${home}`);
  return { what: `kafka ${KAFKA_VERSION} (${jars} jars)`, installed, location: home };
}

/** The broker's own principals, whose passwords live in its (0600) configuration: PLAIN users. */
export interface KafkaInfraSecrets {
  /** Provisioning (topics, SCRAM users, ACLs) and operators' tools: a super user. */
  admin: string;
  /** The broker itself on the inter-broker listener. */
  broker: string;
  /** The controller listener (KRaft quorum; the broker registers through it). */
  controller: string;
}

export interface RunningKafka {
  brokers: string[];
  port: number;
  /** The provisioning super user (SASL PLAIN): topics, users, ACLs, Kafka's own tools. */
  admin: KafkaConnection & { sasl: KafkaSasl };
  /** A connection as one of the SCRAM users; the first one when no name is given. */
  connection(user?: string): KafkaConnection & { sasl: KafkaSasl };
  /** KAFKA_BROKERS, KAFKA_SASL_MECHANISM, KAFKA_USERNAME and KAFKA_PASSWORD of a process connecting as `user`. */
  env(user?: string): Record<string, string>;
  /** Kafka's own command-line tools take this file (`--command-config`, `--consumer.config`) to connect as admin. */
  adminClientProperties: string;
  stop(): Promise<void>;
}

/** The SCRAM mechanism of every user the broker keeps (kafkajs and Kafka's tools both speak it). */
export const KAFKA_SCRAM_MECHANISM = "scram-sha-256" as const;

/**
 * A single-node KRaft Kafka (broker and controller in one JVM) as our child process. Storage
 * in `dataDir` is formatted once and kept, so a restart on the same folder keeps its topics.
 * Topics are never auto-created: create them with createKafkaTopics.
 *
 * Nobody connects anonymously: the client listener takes SASL only — SCRAM-SHA-256 for the
 * `users` (their credentials are salted hashes in the cluster metadata, never in a file here),
 * PLAIN for the broker's own principals (admin, broker), whose passwords sit in the broker's
 * 0600 configuration. The controller listener takes SASL PLAIN from the controller principal
 * only: KRaft controllers answer some admin requests (KIP-919), so an open one would let
 * anyone add users. The StandardAuthorizer lets each user do what its grants say and nothing
 * else; admin, broker and controller, and users granted "all", are super users.
 *
 * `users` defaults to one user "client" with every right (tests); passwords not given are
 * generated once into `dataDir/credentials.json` (0600). On a data dir formatted before any
 * of this (or missing a user), each user that cannot log in is (re)created through the admin.
 */
export async function startKafka(options: {
  port?: number;
  controllerPort?: number;
  dataDir: string;
  readyTimeoutMs?: number;
  secrets?: KafkaInfraSecrets;
  users?: (Omit<KafkaUser, "password"> & { password?: string })[];
  progress?: Progress;
}): Promise<RunningKafka> {
  const progress = options.progress ?? createProgress();
  const { location: home } = await installKafka(progress);
  const port = options.port ?? (await freePort());
  const controllerPort = options.controllerPort ?? (await freePort());
  await assertPortFree(port, "kafka");
  await assertPortFree(controllerPort, "kafka controller");
  const dataDir = path.resolve(options.dataDir);
  const logDir = path.join(dataDir, "log");
  await mkdir(logDir, { recursive: true });
  const wanted = options.users ?? [{ name: "client", grants: "all" as const }];
  const generated = await ensureSecrets(path.join(dataDir, "credentials.json"), [
    ...(options.secrets ? [] : ["admin", "broker", "controller"]),
    ...wanted.filter((u) => u.password === undefined).map((u) => `user:${u.name}`),
  ]);
  const secrets: KafkaInfraSecrets = options.secrets ?? {
    admin: generated.admin!,
    broker: generated.broker!,
    controller: generated.controller!,
  };
  const users: KafkaUser[] = wanted.map((u) => ({ ...u, password: u.password ?? generated[`user:${u.name}`]! }));
  const superUsers = users.filter((u) => u.grants === "all").map((u) => u.name);
  // They go into JAAS strings and SCRAM specs ("[name=…,password=…]") unquoted: plain words only.
  for (const [name, word] of [
    ...Object.entries(secrets),
    ...users.flatMap((u) => [
      [u.name, u.name],
      [u.name, u.password],
    ]),
  ]) {
    if (!/^[\w.-]+$/.test(word ?? ""))
      throw new ProvisionError(`kafka: ${name}'s name and password must be [A-Za-z0-9_.-]+`);
  }

  const properties = path.join(dataDir, "server.properties");
  await writePrivateFile(properties, serverProperties({ port, controllerPort, logDir, secrets, superUsers }));
  const adminClientProperties = path.join(dataDir, "admin-client.properties");
  await writePrivateFile(adminClientProperties, clientProperties("PLAIN", "admin", secrets.admin));
  const log4j = path.join(dataDir, "log4j.properties");
  await writeFile(log4j, LOG4J_PROPERTIES);
  const classpath = `${path.join(home, "libs")}/*`;
  const java = requireTool("java", "to run Kafka", "install a Java 17+ runtime");
  const jvm = [
    "-Xmx512m",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    `-Dlog4j.configuration=file:${log4j}`,
  ];
  const tool = (what: string, mainClass: string, args: string[]) =>
    runJavaWithArgFile(java, [...jvm, "-cp", classpath, mainClass, ...args], { dataDir, what });

  const logFile = path.join(dataDir, "kafka.log");
  const brokers = [`127.0.0.1:${port}`];
  const admin = { brokers, sasl: { mechanism: "plain" as const, username: "admin", password: secrets.admin } };
  const server = await inStep(
    progress,
    "kafka",
    `starting on ${brokers[0]}`,
    async (step) => {
      if (!existsSync(path.join(logDir, "meta.properties"))) {
        step.update({ text: "formatting its storage" });
        // The users' SCRAM credentials go into the first metadata, so a new cluster needs no admin round trip.
        const scram = users.flatMap((u) => ["--add-scram", `SCRAM-SHA-256=[name=${u.name},password=${u.password}]`]);
        await tool("formatting Kafka storage", "kafka.tools.StorageTool", [
          "format",
          "-t",
          clusterId(),
          "-c",
          properties,
          ...scram,
        ]);
        step.update({ text: `starting on ${brokers[0]}` });
      }
      const server = spawnServer({
        name: "kafka",
        command: java,
        args: [...jvm, "-cp", classpath, "kafka.Kafka", properties],
        logFile,
      });
      await waitUntilReady(server, () => probeKafka(admin), { timeoutMs: options.readyTimeoutMs ?? 90_000, logFile });
      step.update({ text: "setting its users and ACLs" });
      try {
        await ensureScramUsers(admin, users, (user) =>
          tool(`setting the SCRAM credentials of Kafka user ${user.name}`, "kafka.admin.ConfigCommand", [
            ...["--bootstrap-server", brokers[0]!, "--command-config", adminClientProperties],
            ...["--alter", "--entity-type", "users", "--entity-name", user.name],
            ...["--add-config", `SCRAM-SHA-256=[password=${user.password}]`],
          ]),
        );
        await ensureAcls(admin, users);
      } catch (err) {
        await server.stop(30_000);
        throw err;
      }
      return server;
    },
    () => `ready at ${brokers[0]}`,
  );

  const userNamed = (name?: string) => {
    const user = name === undefined ? users[0] : users.find((u) => u.name === name);
    if (!user) throw new ProvisionError(`no Kafka user ${name ?? "at all"} on this broker`);
    return user;
  };
  const connection = (name?: string) => {
    const user = userNamed(name);
    return { brokers, sasl: { mechanism: KAFKA_SCRAM_MECHANISM, username: user.name, password: user.password } };
  };
  return {
    brokers,
    port,
    admin,
    connection,
    env: (name) => {
      const { sasl } = connection(name);
      return {
        KAFKA_BROKERS: brokers.join(","),
        KAFKA_SASL_MECHANISM: sasl.mechanism,
        KAFKA_USERNAME: sasl.username,
        KAFKA_PASSWORD: sasl.password,
      };
    },
    adminClientProperties,
    stop: () => server.stop(30_000),
  };
}

function serverProperties(p: {
  port: number;
  controllerPort: number;
  logDir: string;
  secrets: KafkaInfraSecrets;
  superUsers: string[];
}): string {
  const plain = (users: Record<string, string>, self: string) =>
    `org.apache.kafka.common.security.plain.PlainLoginModule required username="${self}" password="${users[self]}" ${Object.entries(
      users,
    )
      .map(([name, password]) => `user_${name}="${password}"`)
      .join(" ")};`;
  return `${[
    "# Written by scripts/provision/kafka.ts on every start; it holds passwords (mode 0600).",
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${p.controllerPort}`,
    `listeners=CLIENT://127.0.0.1:${p.port},CONTROLLER://127.0.0.1:${p.controllerPort}`,
    `advertised.listeners=CLIENT://127.0.0.1:${p.port}`,
    "inter.broker.listener.name=CLIENT",
    "controller.listener.names=CONTROLLER",
    // SASL on every listener: nothing reaches the broker or the controller anonymously.
    "listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT",
    "listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-256,PLAIN",
    "listener.name.client.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;",
    `listener.name.client.plain.sasl.jaas.config=${plain({ broker: p.secrets.broker, admin: p.secrets.admin }, "broker")}`,
    "sasl.mechanism.inter.broker.protocol=PLAIN",
    "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
    `listener.name.controller.plain.sasl.jaas.config=${plain({ controller: p.secrets.controller }, "controller")}`,
    "sasl.mechanism.controller.protocol=PLAIN",
    "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    `super.users=${["admin", "broker", "controller", ...p.superUsers].map((u) => `User:${u}`).join(";")}`,
    `log.dirs=${p.logDir}`,
    // Topics are created explicitly, with their partition counts; a typo must not create one.
    "auto.create.topics.enable=false",
    "num.partitions=1",
    "default.replication.factor=1",
    "min.insync.replicas=1",
    "offsets.topic.replication.factor=1",
    // One node: fewer offsets partitions make the first group join quicker.
    "offsets.topic.num.partitions=10",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "group.initial.rebalance.delay.ms=0",
  ].join("\n")}\n`;
}

/** A Kafka client configuration file for the broker's tools (their `--command-config`). */
function clientProperties(mechanism: "PLAIN", username: string, password: string): string {
  return `${[
    "security.protocol=SASL_PLAINTEXT",
    `sasl.mechanism=${mechanism}`,
    `sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${username}" password="${password}";`,
  ].join("\n")}\n`;
}

// Kafka 3.9 logs through reload4j; everything goes to stdout, which we write to kafka.log.
const LOG4J_PROPERTIES = `log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
`;

/** A Kafka cluster id: 16 random bytes, base64url, not starting with "-" (which CLIs misread). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

async function probeKafka(connection: KafkaConnection): Promise<void> {
  const admin = quietKafka(connection).admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error("no broker registered yet");
  } finally {
    await admin.disconnect();
  }
}

/**
 * Creates topics with explicit partition counts (replication 1: one node). Idempotent: an
 * existing topic is left alone if its partition count matches, and is an error if it does not.
 */
export async function createKafkaTopics(
  connection: KafkaConnection,
  topics: { topic: string; partitions: number }[],
): Promise<void> {
  const admin = new Kafka({ clientId: "checkout-saga-provision", ...connection, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions, replicationFactor: 1 })),
      });
    }
    const present = topics.filter((t) => existing.has(t.topic));
    if (present.length === 0) return;
    const metadata = await admin.fetchTopicMetadata({ topics: present.map((t) => t.topic) });
    for (const want of present) {
      const have = metadata.topics.find((t) => t.name === want.topic)?.partitions.length;
      if (have !== want.partitions) {
        throw new ProvisionError(
          `kafka topic ${want.topic} exists with ${have} partitions, expected ${want.partitions}`,
        );
      }
    }
  } finally {
    await admin.disconnect();
  }
}
