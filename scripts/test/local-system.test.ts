import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { runTypeScript } from "@checkout-saga/shared/testing";
import { afterAll, describe, expect, it } from "vitest";
import { interruptEmbeddedProcess, isolatedEmbeddedEnv, startEmbeddedProcess } from "../lib/embedded-process.js";
import { embeddedStateFile, writeEmbeddedState } from "../lib/embedded-state.js";
import { findLocalSystem } from "../lib/local-system.js";
import { ensureStackCredentials } from "../stack/infra-credentials.js";
import { writeSupervisorState } from "../stack/supervisor-state.js";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const temps: string[] = [];
afterAll(() => Promise.all(temps.map((t) => rm(t, { recursive: true, force: true }))));

/** A folder standing in for a clone: its .data/ and .data/stack/ are where the CLI looks. */
async function fakeRoot() {
  const root = await mkdtemp(path.join(os.tmpdir(), "checkout-saga-local-system-"));
  temps.push(root);
  return { root, dataDir: path.join(root, ".data"), stackDir: path.join(root, ".data", "stack") };
}

const PORTS = { postgres: 25432, redis: 26379, kafka: 29092, kafkaController: 29093, ferretdb: 37017 };
const EMBEDDED_URL = "postgres://postgres:postgres@127.0.0.1:25433/checkout";
/** A pid no process has any more. */
const gonePid = () => spawnSync("true").pid!;

async function runStack(stackDir: string, pid = process.pid) {
  const credentials = await ensureStackCredentials(stackDir);
  writeSupervisorState(stackDir, { pid, controlPort: 1, ports: PORTS });
  return credentials;
}

describe("finding the running local system", () => {
  it("a running stack: checkout database as checkout_service and Kafka as outbox-cli, on the ports it recorded", async () => {
    const { root, stackDir } = await fakeRoot();
    const credentials = await runStack(stackDir);

    const found = findLocalSystem({}, root);
    expect(found.env).toEqual({
      CHECKOUT_DATABASE_URL: `postgres://checkout_service:${credentials.postgres.roles.checkout}@127.0.0.1:25432/checkout`,
      KAFKA_BROKERS: "127.0.0.1:29092",
      KAFKA_SASL_MECHANISM: "scram-sha-256",
      KAFKA_USERNAME: "outbox-cli",
      KAFKA_PASSWORD: credentials.kafka.users["outbox-cli"],
    });
    expect(found.description).toContain("using the running stack (");
    expect(found.description).toContain("checkout database postgres://checkout_service@127.0.0.1:25432/checkout");
    expect(found.description).not.toContain(credentials.postgres.roles.checkout);
  });

  it("a running npm start: its checkout database, and it says there is no Kafka", async () => {
    const { root, dataDir } = await fakeRoot();
    await mkdir(dataDir);
    await writeEmbeddedState(dataDir, { pid: process.pid, gatewayUrl: "http://x", checkoutDatabaseUrl: EMBEDDED_URL });

    const found = findLocalSystem({}, root);
    expect(found.env).toEqual({ CHECKOUT_DATABASE_URL: EMBEDDED_URL });
    expect(found.description).toMatch(/using the running npm start \(.*\): checkout database .*, no Kafka/);
  });

  it("both: the stack, naming the other; STACK_DIR and DATA_DIR say where to look", async () => {
    const { root, dataDir, stackDir } = await fakeRoot();
    await runStack(stackDir);
    await writeEmbeddedState(dataDir, { pid: process.pid, gatewayUrl: "http://x", checkoutDatabaseUrl: EMBEDDED_URL });
    expect(findLocalSystem({}, root).description).toMatch(/running stack .*npm start runs too/);

    const elsewhere = await fakeRoot();
    const env = { STACK_DIR: elsewhere.stackDir, DATA_DIR: elsewhere.dataDir };
    expect(() => findLocalSystem(env, root)).toThrow(/no running system found/);
  });

  it("nothing running (or only files left by processes that are gone): an error saying how to start one or what to set", async () => {
    const { root, dataDir, stackDir } = await fakeRoot();
    expect(() => findLocalSystem({}, root)).toThrow(
      /no running system found .*start one \(npm start, or npm run stack -- up\), or set CHECKOUT_DATABASE_URL/,
    );
    await runStack(stackDir, gonePid());
    await writeEmbeddedState(dataDir, { pid: gonePid(), gatewayUrl: "http://x", checkoutDatabaseUrl: EMBEDDED_URL });
    expect(() => findLocalSystem({}, root)).toThrow(/no running system found/);
  });
});

/** `npm run outbox -- …` with exactly `env` (and PATH). */
const npmRunOutbox = (args: string[], env: Record<string, string | undefined>) =>
  runTypeScript(path.join(repoRoot, "scripts/outbox.ts"), args, { cwd: repoRoot, env });

describe("npm run outbox beside npm start", () => {
  it("finds it with nothing set, says so, and no longer once it stopped", { timeout: 180_000 }, async () => {
    const system = await isolatedEmbeddedEnv("checkout-saga-outbox-discovery-");
    temps.push(system.dataDir);
    // No stack where this one looks, whatever runs on this machine.
    const env = { DATA_DIR: system.dataDir, STACK_DIR: path.join(system.dataDir, "no-stack") };
    const child = await startEmbeddedProcess(system.env);
    try {
      const status = await npmRunOutbox(["status", "--json"], env);
      expect(status.stderr).toMatch(/^outbox: using the running npm start \(.*\): checkout database postgres:\/\//);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ pending: 0 });
      const deadLetters = await npmRunOutbox(["dead-letters", "list"], env);
      expect(deadLetters.code).toBe(2);
      expect(deadLetters.stderr).toContain("no Kafka");
      expect(deadLetters.stderr).toContain("KAFKA_BROKERS is not set");
    } finally {
      expect(await interruptEmbeddedProcess(child)).toBe(0);
    }
    expect(existsSync(embeddedStateFile(system.dataDir))).toBe(false);
    const after = await npmRunOutbox(["status"], env);
    expect(after.code).toBe(2);
    expect(after.stderr).toContain("no running system found");
  });
});
