import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisReplies, tryListTopics, tryPostgres, tryProduce } from "../lib/raw-clients.js";
import { type IsolatedStack, startIsolatedStack } from "../lib/stack-process.js";
import { credentialsFile, readStackCredentials, type StackCredentials } from "../stack/infra-credentials.js";
import { DATABASES, databaseRole, FERRETDB_ROLE, SERVICES } from "../stack/topology.js";
import { roleDatabaseUrl, type StackPorts, serverEnv, stackPorts } from "../stack/wiring.js";

/**
 * The stack's servers as someone else on the machine meets them (issue 12 item 1: Kafka and
 * PostgreSQL connections use credentials, no anonymous superuser for the services; Redis too):
 * `npm run stack -- up` on free ports in a temp dir, then raw clients — no password, a wrong
 * one, a service's own one used where it does not belong — against each server.
 */

let system: IsolatedStack | undefined;
let credentials: StackCredentials;
let ports: StackPorts;

beforeAll(async () => {
  system = await startIsolatedStack("checkout-saga-credentials-");
  credentials = readStackCredentials(system.stackDir);
  ports = stackPorts(system.env);
}, 300_000);

afterAll(async () => {
  await system?.stop();
}, 120_000);

const pgUrl = (user: string, password: string | undefined, db: string) =>
  `postgres://${user}${password === undefined ? "" : `:${password}`}@127.0.0.1:${ports.postgres}/${db}`;

describe("PostgreSQL", () => {
  it("lets each service role into its own database, which it owns entirely, as no superuser", async () => {
    for (const db of DATABASES) {
      const me = await tryPostgres(
        roleDatabaseUrl(db, credentials, ports),
        "select rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls from pg_roles where rolname = current_user",
      );
      expect(me, db).toEqual({
        ok: true,
        rows: [
          { rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolreplication: false, rolbypassrls: false },
        ],
      });
      // The service migrated its tables as itself: nothing in its schemas belongs to anyone else.
      const foreign = await tryPostgres(
        roleDatabaseUrl(db, credentials, ports),
        `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname !~ '^pg_' and n.nspname <> 'information_schema' and c.relowner <> (select oid from pg_roles where rolname = current_user)`,
      );
      expect(foreign, db).toEqual({ ok: true, rows: [] });
    }
  });

  it("refuses a service role in another service's database and in the maintenance databases", async () => {
    for (const db of DATABASES) {
      for (const other of [...DATABASES.filter((d) => d !== db), "postgres", "template1"]) {
        const attempt = await tryPostgres(pgUrl(databaseRole(db), credentials.postgres.roles[db], other), "select 1");
        // 42501 insufficient_privilege: "permission denied for database"
        expect(attempt, `${databaseRole(db)} → ${other}`).toMatchObject({ ok: false, code: "42501" });
      }
    }
  });

  it("refuses a connection without a password, with a wrong one, and the superuser's old fixed one", async () => {
    const noPassword = await tryPostgres(pgUrl("checkout_service", undefined, "checkout"), "select 1");
    expect(noPassword.ok).toBe(false);
    if (!noPassword.ok) expect(noPassword.message).toMatch(/password/i);
    for (const [user, password] of [
      ["checkout_service", "wrong-password"],
      ["checkout_service", credentials.postgres.roles.payment],
      ["postgres", "postgres"],
    ] as const) {
      expect(await tryPostgres(pgUrl(user, password, "checkout"), "select 1"), user).toMatchObject({
        ok: false,
        code: "28P01", // invalid_password
      });
    }
  });

  it("does not let a service role create databases or roles", async () => {
    const url = roleDatabaseUrl("payment", credentials, ports);
    expect(await tryPostgres(url, "create database stolen")).toMatchObject({ ok: false, code: "42501" });
    expect(await tryPostgres(url, "create role stolen login")).toMatchObject({ ok: false, code: "42501" });
  });
});

describe("Kafka", () => {
  const brokers = () => [`127.0.0.1:${ports.kafka}`];
  const as = (username: string, password: string) => ({
    brokers: brokers(),
    sasl: { mechanism: "scram-sha-256" as const, username, password },
  });

  it("refuses a client without SASL: it can neither list topics nor produce", async () => {
    expect(await tryListTopics({ brokers: brokers() })).toMatchObject({ ok: false });
    expect(await tryProduce({ brokers: brokers() }, "checkout-events")).toMatchObject({ ok: false });
    // The controller listener too: KRaft controllers answer admin requests.
    expect(await tryListTopics({ brokers: [`127.0.0.1:${ports.kafkaController}`] })).toMatchObject({ ok: false });
  });

  it("refuses a wrong password and another user's password", async () => {
    for (const password of ["wrong-password", credentials.kafka.users["orders-service"]!]) {
      expect(await tryListTopics(as("checkout-service", password))).toMatchObject({
        ok: false,
        error: "KafkaJSSASLAuthenticationError",
      });
    }
  });

  it("lets each user do only what its ACLs grant", async () => {
    const users = credentials.kafka.users;
    // The relay sees the topic it writes to, and the dead letters it lists for operators (read
    // only); the cart's consumer may not write to the relay's topic.
    const listed = await tryListTopics(as("checkout-service", users["checkout-service"]!));
    expect(listed.ok && [...listed.topics].sort()).toEqual(["checkout-events", "checkout-events.dlq"]);
    for (const [user, topic] of [
      ["cart-service", "checkout-events"],
      ["orders-service", "checkout-events"],
      ["checkout-service", "checkout-events.dlq"],
    ] as const) {
      expect(await tryProduce(as(user, users[user]!), topic), `${user} → ${topic}`).toMatchObject({
        ok: false,
        message: expect.stringMatching(/authoriz/i),
      });
    }
  });
});

describe("Redis", () => {
  it("refuses commands without a password and with a wrong one", async () => {
    expect(await redisReplies(ports.redis, [["PING"]])).toEqual([expect.stringMatching(/^-NOAUTH/)]);
    expect(await redisReplies(ports.redis, [["AUTH", "gateway", "wrong-password"]])).toEqual([
      expect.stringMatching(/^-WRONGPASS/),
    ]);
  });

  it("lets each user touch its own keys only, and no dangerous command", async () => {
    const [auth, own, other, flush] = await redisReplies(ports.redis, [
      ["AUTH", "cart-service", credentials.redis["cart-service"]!],
      ["SET", "cart:credential-check", "1", "PX", "1000"],
      ["GET", "gateway:ratelimit:ip:127.0.0.1"],
      ["FLUSHALL"],
    ]);
    expect([auth, own]).toEqual(["+OK", "+OK"]);
    expect(other).toMatch(/^-NOPERM/);
    expect(flush).toMatch(/^-NOPERM/);
  });
});

describe("FerretDB (MongoDB wire)", () => {
  const uri = (login: string) => `mongodb://${login}127.0.0.1:${ports.ferretdb}/cart?authMechanism=PLAIN`;

  async function countCarts(url: string): Promise<number | string> {
    const client = new MongoClient(url, { directConnection: true, serverSelectionTimeoutMS: 3_000 });
    try {
      return await client.db("cart").collection("carts").countDocuments();
    } catch (err) {
      return (err as Error).message;
    } finally {
      await client.close();
    }
  }

  it("answers no query from a client that does not log in, or logs in wrongly; the cart's role gets in", async () => {
    const anonymous = new MongoClient(`mongodb://127.0.0.1:${ports.ferretdb}/cart`, {
      directConnection: true,
      serverSelectionTimeoutMS: 3_000,
    });
    try {
      await expect(anonymous.db("cart").collection("carts").countDocuments()).rejects.toThrow(/password/i);
    } finally {
      await anonymous.close();
    }
    expect(await countCarts(uri(`${FERRETDB_ROLE}:wrong-password@`))).toMatch(/password authentication failed/);
    expect(await countCarts(uri(`postgres:postgres@`))).toMatch(/password authentication failed/);
    expect(await countCarts(uri(`${FERRETDB_ROLE}:${credentials.ferretdb.owner}@`))).toEqual(expect.any(Number));
  });
});

describe("the credentials themselves", () => {
  const allSecrets = () => [
    credentials.postgres.superuser,
    ...Object.values(credentials.postgres.roles),
    credentials.ferretdb.superuser,
    credentials.ferretdb.owner,
    ...Object.values(credentials.kafka.infra),
    ...Object.values(credentials.kafka.users),
    ...Object.values(credentials.redis),
  ];

  it("are kept in files only their owner can read, never in a command line", () => {
    const stackDir = system!.stackDir;
    for (const file of [
      credentialsFile(stackDir),
      path.join(stackDir, "kafka", "server.properties"),
      path.join(stackDir, "kafka", "admin-client.properties"),
      path.join(stackDir, "redis", "users.acl"),
    ]) {
      expect((statSync(file).mode & 0o777).toString(8), file).toBe("600");
    }
    // Redis keeps hashes only.
    const acl = readFileSync(path.join(stackDir, "redis", "users.acl"), "utf8");
    for (const password of Object.values(credentials.redis)) expect(acl).not.toContain(password);
    const commandLines = readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .map((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, "utf8");
        } catch {
          return ""; // gone meanwhile
        }
      })
      .join("\n");
    for (const secret of allSecrets()) expect(commandLines).not.toContain(secret);
  });

  it("reach each service process by env, its own and no one else's", async () => {
    const status = (await system!.run("status")).output;
    for (const spec of SERVICES) {
      const pid = new RegExp(`^${spec.name}\\s+service\\s+running\\s+\\S+\\s+(\\d+)`, "m").exec(status)?.[1];
      expect(pid, `${spec.name} pid in:\n${status}`).toBeDefined();
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      const own = Object.entries(serverEnv(spec.name, credentials, ports)).map(([k, v]) => `${k}=${v}`);
      expect(environ, spec.name).toEqual(expect.arrayContaining(own));
      const ownText = own.join("\n");
      const theirs = allSecrets().filter((s) => !ownText.includes(s));
      for (const secret of theirs) expect(environ.join("\n"), spec.name).not.toContain(secret);
    }
  });

  it("stay the same across a second `up`, which brings the whole stack back", async () => {
    const before = readFileSync(credentialsFile(system!.stackDir), "utf8");
    expect((await system!.run("down")).code).toBe(0);
    const up = await system!.run("up");
    expect(up.code, up.output).toBe(0);
    expect(up.output).toContain("stack: ready");
    expect(readFileSync(credentialsFile(system!.stackDir), "utf8")).toBe(before);
    expect(
      await tryPostgres(roleDatabaseUrl("orders", credentials, ports), "select count(*) from orders"),
    ).toMatchObject({ ok: true });
  }, 180_000);
});
