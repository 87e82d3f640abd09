/**
 * deployments/ log every service in to every server as its own user, with the names
 * `npm run stack` uses (scripts/stack/topology.ts), and take every password from a secret:
 * deployments/.env written by generate-secrets.sh for compose, the Secret for Kubernetes.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { databaseRole, FERRETDB_ROLE, KAFKA_USERS, REDIS_USERS, SERVICES } from "../../scripts/stack/topology.js";
import { compose, configMaps, deploymentsDir, type EnvSource, find, read, secrets } from "./deployment-files.js";

/** docker-compose.yml without its comments. */
const composeText = read(path.join(deploymentsDir, "docker-compose.yml"))
  .split("\n")
  .filter((l) => !/^\s*#/.test(l))
  .join("\n");
/** The user in a URL whose password is a compose variable or a placeholder (`scheme://user:${X:?…}@host`). */
const userOf = (url: string | undefined) => /^[a-z]+:\/\/([^:@/]+):/.exec(url ?? "")?.[1];
const REQUIRED_SECRET = /^\$\{[A-Z_]+:\?[^}]+\}$/;
const passwordOf = (url: string | undefined) => /^[a-z]+:\/\/[^:@/]+:(\$\{[^}]+\})@/.exec(url ?? "")?.[1];

describe("docker-compose.yml", () => {
  it.each(SERVICES)("logs $name in as its own user on every server it uses", (spec) => {
    const env = compose.get(spec.name)!.environment;
    if (spec.database) {
      const url = env.get(`${spec.database.toUpperCase()}_DATABASE_URL`);
      expect(userOf(url)).toBe(databaseRole(spec.database));
      expect(passwordOf(url)).toMatch(REQUIRED_SECRET);
    }
    if (spec.mongodb) {
      expect(userOf(env.get("MONGODB_URI"))).toBe(FERRETDB_ROLE);
      expect(passwordOf(env.get("MONGODB_URI"))).toMatch(REQUIRED_SECRET);
    }
    if (spec.redisUser) {
      expect(userOf(env.get("REDIS_URL"))).toBe(spec.redisUser);
      expect(passwordOf(env.get("REDIS_URL"))).toMatch(REQUIRED_SECRET);
    }
    if (spec.kafkaUser) {
      expect(env.get("KAFKA_SASL_MECHANISM")).toBe("scram-sha-256");
      expect(env.get("KAFKA_USERNAME")).toBe(spec.kafkaUser);
      expect(env.get("KAFKA_PASSWORD")).toMatch(REQUIRED_SECRET);
    }
  });

  it("runs Kafka with SASL on every listener and the authorizer on", () => {
    const kafka = compose.get("kafka")!.lines.map((l) => l.trim());
    expect(kafka).toContain("listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT");
    expect(kafka).toContain("authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    expect(kafka.join("\n")).not.toMatch(/PLAINTEXT:\/\//);
  });

  it("creates every Kafka user of the stack and grants exactly its ACLs", () => {
    const setup = compose.get("kafka-setup")!.lines.map((l) => l.trim());
    const op = (o: string) => `--operation ${o[0]!.toUpperCase()}${o.slice(1)}`;
    const expected = KAFKA_USERS.flatMap((u) =>
      u.grants.map((g) =>
        [
          `acl --allow-principal User:${u.name}`,
          ...g.operations.map(op),
          `--${g.resource} ${g.name}`,
          ...(g.prefixed ? ["--resource-pattern-type prefixed"] : []),
        ].join(" "),
      ),
    );
    expect(setup.filter((l) => l.startsWith("acl --")).sort()).toEqual(expected.sort());
    for (const u of KAFKA_USERS)
      expect(
        setup.some((l) => l.startsWith(`user ${u.name} "$$`)),
        u.name,
      ).toBe(true);
  });

  it("turns Redis's default user off and gives each user its own keys", () => {
    const redis = compose.get("redis")!.lines.join("\n");
    expect(redis).toContain('echo "user default off"');
    for (const u of REDIS_USERS) {
      expect(redis).toContain(`user ${u.name} on #`);
      expect(redis).toContain(u.keys.map((k) => `~${k}`).join(" "));
    }
  });

  it("has no default for a password: each comes from deployments/.env, which generate-secrets.sh writes", () => {
    const required = new Set([...composeText.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!));
    const defaulted = [...composeText.matchAll(/\$\{([A-Z_]+):-/g)].map((m) => m[1]!);
    expect(defaulted.filter((n) => /PASSWORD|SECRET/.test(n))).toEqual([]);
    const script = read(path.join(deploymentsDir, "generate-secrets.sh"));
    const loop = /for name in \\\n([\s\S]*?); do/.exec(script)?.[1] ?? "";
    // The hex passwords in the loop, and the webhook secret written apart in its own form.
    const apart = [...script.matchAll(/grep -q "\^([A-Z_]+)="/g)].map((m) => m[1]!);
    const generated = new Set([...loop.replaceAll("\\", " ").trim().split(/\s+/), ...apart]);
    expect([...generated].sort()).toEqual([...required].sort());
  });

  it("generate-secrets.sh writes each once, random and readable by its owner only; a second run keeps them", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "checkout-saga-secrets-"));
    try {
      const file = path.join(dir, ".env");
      const script = path.join(deploymentsDir, "generate-secrets.sh");
      execFileSync("sh", [script, file]);
      const first = await readFile(file, "utf8");
      expect(((await stat(file)).mode & 0o777).toString(8)).toBe("600");
      const entries = first.trim().split("\n");
      const webhookSecret = entries.filter((e) => e.startsWith("PAYMENT_WEBHOOK_SECRET="));
      expect(webhookSecret).toHaveLength(1);
      // Standard Webhooks' form, as payment-service's config takes it: whsec_ + base64 of 32 bytes.
      const key = /^PAYMENT_WEBHOOK_SECRET=whsec_([A-Za-z0-9+/]{43}=)$/.exec(webhookSecret[0]!)?.[1];
      expect(Buffer.from(key ?? "", "base64")).toHaveLength(32);
      const passwords = entries.filter((e) => !e.startsWith("PAYMENT_WEBHOOK_SECRET="));
      expect(passwords.every((e) => /^[A-Z_]+=[0-9a-f]{64}$/.test(e))).toBe(true);
      expect(new Set(entries.map((e) => e.split("=")[1])).size).toBe(entries.length);
      execFileSync("sh", [script, file]);
      expect(await readFile(file, "utf8")).toBe(first);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("k8s/base", () => {
  /** The value a Deployment's variable gets: literal, or looked up in the generated ConfigMap/Secret. */
  const resolved = (source: EnvSource | undefined) => {
    if (!source) return undefined;
    if (source.from === "value") return source.value;
    return (source.from === "configMapKeyRef" ? configMaps : secrets).get(source.name)?.get(source.key);
  };

  it.each(SERVICES)("logs $name in as its own user, every password from the Secret", (spec) => {
    const env = find("Deployment", spec.name)!.env;
    const secretRef = (name: string) => expect(env.get(name)?.from, `${spec.name} ${name}`).toBe("secretKeyRef");
    if (spec.database) {
      const name = `${spec.database.toUpperCase()}_DATABASE_URL`;
      secretRef(name);
      expect(userOf(resolved(env.get(name)))).toBe(databaseRole(spec.database));
    }
    if (spec.mongodb) {
      secretRef("MONGODB_URI");
      expect(userOf(resolved(env.get("MONGODB_URI")))).toBe(FERRETDB_ROLE);
    }
    if (spec.redisUser) {
      secretRef("REDIS_URL");
      expect(userOf(resolved(env.get("REDIS_URL")))).toBe(spec.redisUser);
    }
    if (spec.kafkaUser) {
      expect(resolved(env.get("KAFKA_SASL_MECHANISM"))).toBe("scram-sha-256");
      expect(resolved(env.get("KAFKA_USERNAME"))).toBe(spec.kafkaUser);
      secretRef("KAFKA_PASSWORD");
    }
  });
});
