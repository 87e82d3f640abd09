import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { freePort } from "@checkout-saga/shared/dev";
import { Kafka, logLevel } from "kafkajs";
import { ensureCached, provisionCacheDir } from "./cache.js";
import { ProvisionError } from "./provision-error.js";
import type { ProvisionResult } from "./provision-result.js";
import { assertPortFree, spawnServer, waitUntilReady } from "./server-process.js";
import { requireTool, runTool } from "./tools.js";

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
export async function installKafka(): Promise<ProvisionResult> {
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
    await runTool(
      mvn,
      [
        "-B",
        "-q",
        "--no-transfer-progress",
        // A throwaway local repository: the copied jars are all that is kept.
        `-Dmaven.repo.local=${path.join(scratch, "maven-repository")}`,
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        `-DoutputDirectory=${path.join(scratch, "libs")}`,
      ],
      { cwd: scratch, what: `resolving org.apache.kafka:kafka_2.13:${KAFKA_VERSION} from Maven Central` },
    );
    await rm(path.join(scratch, "maven-repository"), { recursive: true, force: true });
  });
  requireTool("java", "to run Kafka", "install a Java 17+ runtime, e.g. `apt-get install -y openjdk-17-jre-headless`");
  const jars = (await readdir(path.join(home, "libs"))).length;
  return { what: `kafka ${KAFKA_VERSION} (${jars} jars)`, installed, location: home };
}

export interface RunningKafka {
  brokers: string[];
  port: number;
  stop(): Promise<void>;
}

/**
 * A single-node KRaft Kafka (broker and controller in one JVM) as our child process. Storage
 * in `dataDir` is formatted once and kept, so a restart on the same folder keeps its topics.
 * Topics are never auto-created: create them with createKafkaTopics.
 */
export async function startKafka(options: {
  port?: number;
  controllerPort?: number;
  dataDir: string;
  readyTimeoutMs?: number;
}): Promise<RunningKafka> {
  const { location: home } = await installKafka();
  const port = options.port ?? (await freePort());
  const controllerPort = options.controllerPort ?? (await freePort());
  await assertPortFree(port, "kafka");
  await assertPortFree(controllerPort, "kafka controller");
  const dataDir = path.resolve(options.dataDir);
  const logDir = path.join(dataDir, "log");
  await mkdir(logDir, { recursive: true });
  const properties = path.join(dataDir, "server.properties");
  await writeFile(properties, serverProperties({ port, controllerPort, logDir }));
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

  if (!existsSync(path.join(logDir, "meta.properties"))) {
    await runTool(
      java,
      [...jvm, "-cp", classpath, "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", properties],
      { what: "formatting Kafka storage" },
    );
  }

  const logFile = path.join(dataDir, "kafka.log");
  const server = spawnServer({
    name: "kafka",
    command: java,
    args: [...jvm, "-cp", classpath, "kafka.Kafka", properties],
    logFile,
  });
  const brokers = [`127.0.0.1:${port}`];
  await waitUntilReady(server, () => probeKafka(brokers), { timeoutMs: options.readyTimeoutMs ?? 90_000, logFile });
  return { brokers, port, stop: () => server.stop(30_000) };
}

function serverProperties(p: { port: number; controllerPort: number; logDir: string }): string {
  return `${[
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${p.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${p.port},CONTROLLER://127.0.0.1:${p.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${p.port}`,
    "inter.broker.listener.name=PLAINTEXT",
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
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

async function probeKafka(brokers: string[]): Promise<void> {
  const admin = quietKafka(brokers).admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error("no broker registered yet");
  } finally {
    await admin.disconnect();
  }
}

function quietKafka(brokers: string[]): Kafka {
  return new Kafka({
    clientId: "checkout-saga-provision",
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    retry: { retries: 0 },
  });
}

/**
 * Creates topics with explicit partition counts (replication 1: one node). Idempotent: an
 * existing topic is left alone if its partition count matches, and is an error if it does not.
 */
export async function createKafkaTopics(
  brokers: string[],
  topics: { topic: string; partitions: number }[],
): Promise<void> {
  const admin = new Kafka({ clientId: "checkout-saga-provision", brokers, logLevel: logLevel.NOTHING }).admin();
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
