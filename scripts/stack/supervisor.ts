import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, openSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { startEmbeddedPostgres } from "@checkout-saga/shared/dev";
import { createKafkaTopics, startFerretDb, startKafka, startRedis } from "../provision/servers.js";
import { DATABASES, SERVER_NAMES, SERVER_PORTS, SERVICES, type ServiceSpec, TOPICS } from "./topology.js";

/**
 * The process `npm run stack -- up` leaves running: it starts the real servers and one OS
 * process per service, keeps their handles, and takes commands (status, stop, start, down)
 * on a loopback HTTP port recorded in <stackDir>/supervisor.json.
 */
const repoRoot = path.resolve(import.meta.dirname, "../..");
const stackDir = path.resolve(process.env.STACK_DIR ?? path.join(repoRoot, ".data/stack"));
const logDir = path.join(stackDir, "logs");
mkdirSync(logDir, { recursive: true });

interface Component {
  name: string;
  kind: "server" | "service";
  address: string;
  pid?: number;
  /** "external": given by the caller's env (a URL), used as it is, never started or stopped here. */
  state: "starting" | "running" | "stopped" | "exited" | "failed" | "external";
  detail?: string;
  start(): Promise<void>;
  stop(signal: NodeJS.Signals): Promise<void>;
  /** Whether it answers right now. */
  healthy(): Promise<boolean>;
}

const env = process.env;
const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
const ports = {
  postgres: port("STACK_POSTGRES_PORT", SERVER_PORTS.postgres),
  redis: port("STACK_REDIS_PORT", SERVER_PORTS.redis),
  kafka: port("STACK_KAFKA_PORT", SERVER_PORTS.kafka),
  kafkaController: port("STACK_KAFKA_CONTROLLER_PORT", SERVER_PORTS.kafkaController),
  ferretdb: port("STACK_FERRETDB_PORT", SERVER_PORTS.ferretdb),
};
const servicePort = (s: ServiceSpec) => port(s.portVar, s.port);
const adminPort = (s: ServiceSpec) => port(s.adminPortVar, s.adminPort);
const urlOf = (s: ServiceSpec) => `http://127.0.0.1:${servicePort(s)}`;
const pgUrl = (db: string) => `postgres://postgres:postgres@127.0.0.1:${ports.postgres}/${db}`;

/** The environment every service process gets: the caller's, plus where everything is. */
function serviceEnv(): Record<string, string> {
  const wired: Record<string, string> = {
    LOG_LEVEL: env.LOG_LEVEL ?? "info",
    KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
    REDIS_URL: `redis://127.0.0.1:${ports.redis}`,
    MONGODB_URI: `mongodb://127.0.0.1:${ports.ferretdb}/cart`,
    PRODUCT_DATABASE_PATH: path.join(stackDir, "product.db"),
    INVENTORY_DATABASE_URL: pgUrl("inventory"),
    PAYMENT_DATABASE_URL: pgUrl("payment"),
    ORDERS_DATABASE_URL: pgUrl("orders"),
    CHECKOUT_DATABASE_URL: pgUrl("checkout"),
    // A stack on one machine is for development and drills: dev tokens on unless told otherwise.
    AUTH_DEV_TOKENS: "true",
    JWT_SECRET: "stack-dev-secret-change-me",
    // Signs the payment provider's webhooks; every process gets it, so the gateway verifies with it.
    PAYMENT_WEBHOOK_SECRET: "whsec_c3RhY2stZGV2LXdlYmhvb2stc2VjcmV0LWNoYW5nZSE=",
  };
  for (const s of SERVICES) {
    wired[s.portVar] = String(servicePort(s));
    wired[s.adminPortVar] = String(adminPort(s));
    const short = s.name.replace(/-service$/, "").toUpperCase();
    if (s.name !== "gateway") wired[`${short}_URL`] = urlOf(s);
  }
  // What the caller set wins, so any setting can be changed for a drill.
  return {
    ...wired,
    ...(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<string, string>),
  };
}

function tcpOpen(p: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port: p, host });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Whether a service reports itself ready (GET /health/ready answers 200). */
function httpReady(p: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port: p, path: "/health/ready", timeout: 3_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(false));
  });
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  failed?: () => string | undefined,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    const reason = failed?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms`);
}

function serverComponent(
  name: string,
  address: string,
  tcpPort: number,
  run: () => Promise<{ stop(): Promise<void> }>,
): Component {
  let handle: { stop(): Promise<void> } | undefined;
  const c: Component = {
    name,
    kind: "server",
    address,
    state: "stopped",
    async start() {
      c.state = "starting";
      try {
        handle = await run();
        c.state = "running";
        c.detail = undefined;
      } catch (err) {
        c.state = "failed";
        c.detail = err instanceof Error ? err.message : String(err);
        throw err;
      }
    },
    async stop() {
      await handle?.stop();
      handle = undefined;
      c.state = "stopped";
    },
    healthy: () => tcpOpen(tcpPort),
  };
  return c;
}

function serviceComponent(spec: ServiceSpec): Component {
  let child: ChildProcess | undefined;
  const c: Component = {
    name: spec.name,
    kind: "service",
    address: urlOf(spec),
    state: "stopped",
    async start() {
      const log = openSync(path.join(logDir, `${spec.name}.log`), "a");
      c.state = "starting";
      c.detail = undefined;
      child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, spec.main)], {
        cwd: repoRoot,
        env: serviceEnv(),
        stdio: ["ignore", log, log],
      });
      c.pid = child.pid;
      const self = child;
      self.once("exit", (code, signal) => {
        if (child !== self) return;
        c.state = c.state === "stopped" ? "stopped" : "exited";
        c.detail = signal ? `killed by ${signal}` : `exit code ${code}`;
        c.pid = undefined;
      });
      await waitFor(
        spec.name,
        () => tcpOpen(servicePort(spec)),
        60_000,
        () => (c.state === "exited" ? `${c.detail}; see ${path.join(logDir, `${spec.name}.log`)}` : undefined),
      );
      c.state = "running";
    },
    async stop(signal) {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) {
        c.state = "stopped";
        return;
      }
      c.state = "stopped";
      const exited = new Promise<void>((resolve) => current.once("exit", () => resolve()));
      current.kill(signal);
      const timer = setTimeout(() => current.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
      c.detail = `stopped with ${signal}`;
    },
    // Readiness as the service reports it: its database, broker and the services it needs.
    healthy: () => httpReady(adminPort(spec)),
  };
  return c;
}

/** A server the caller's env already points at: checked and prepared, never started or stopped. */
function externalServer(name: string, url: string, prepare: () => Promise<void> = async () => {}): Component {
  const { hostname, port: p } = new URL(url.includes("://") ? url : `tcp://${url}`);
  const c: Component = {
    name,
    kind: "server",
    address: url.replace(/\/\/[^@/]*@/, "//"),
    state: "external",
    async start() {
      await prepare();
      c.detail = "given by env";
    },
    async stop() {},
    healthy: () => tcpOpen(Number(p), hostname),
  };
  return c;
}

// URLs given by env win: such a server is used as it is instead of being provisioned.
const databaseUrls = DATABASES.map((db) => env[`${db.toUpperCase()}_DATABASE_URL`]);
const firstBroker = env.KAFKA_BROKERS?.split(",")[0]?.trim();

const components: Component[] = [
  databaseUrls.every((u) => u !== undefined)
    ? externalServer("postgres", databaseUrls[0]!)
    : serverComponent("postgres", pgUrl(""), ports.postgres, async () => {
        const pg = await startEmbeddedPostgres({ dataDir: path.join(stackDir, "postgres"), port: ports.postgres });
        for (const db of DATABASES) await pg.ensureDatabase(db);
        return pg;
      }),
  env.REDIS_URL
    ? externalServer("redis", env.REDIS_URL)
    : serverComponent("redis", `redis://127.0.0.1:${ports.redis}`, ports.redis, () =>
        startRedis({ port: ports.redis, dataDir: path.join(stackDir, "redis") }),
      ),
  firstBroker
    ? externalServer("kafka", firstBroker, () => createKafkaTopics(env.KAFKA_BROKERS!.split(","), TOPICS))
    : serverComponent("kafka", `127.0.0.1:${ports.kafka}`, ports.kafka, async () => {
        const kafka = await startKafka({
          port: ports.kafka,
          controllerPort: ports.kafkaController,
          dataDir: path.join(stackDir, "kafka"),
        });
        await createKafkaTopics(kafka.brokers, TOPICS);
        return kafka;
      }),
  // FerretDB starts and stops its own PostgreSQL (in ferretdb/postgres), apart from the one
  // above: stopping `postgres` in a drill leaves carts up, as a MongoDB of their own would.
  env.MONGODB_URI
    ? externalServer("ferretdb", env.MONGODB_URI)
    : serverComponent("ferretdb", `mongodb://127.0.0.1:${ports.ferretdb}`, ports.ferretdb, () =>
        startFerretDb({ port: ports.ferretdb, dataDir: path.join(stackDir, "ferretdb") }),
      ),
  ...SERVICES.map(serviceComponent),
];
const byName = new Map(components.map((c) => [c.name, c]));

async function up() {
  // Servers are independent of each other: start them together.
  await Promise.all(components.filter((c) => c.kind === "server").map((c) => c.start()));
  const started = new Set<string>();
  const pending = SERVICES.slice();
  while (pending.length > 0) {
    const ready = pending.filter((s) => s.after.every((a) => started.has(a)));
    await Promise.all(ready.map((s) => byName.get(s.name)!.start()));
    for (const s of ready) {
      started.add(s.name);
      pending.splice(pending.indexOf(s), 1);
    }
  }
}

async function down() {
  for (const c of [...components].reverse()) await c.stop("SIGTERM").catch(() => {});
}

async function status() {
  return Promise.all(
    components.map(async (c) => ({
      name: c.name,
      kind: c.kind,
      address: c.address,
      pid: c.pid ?? null,
      state: c.state,
      healthy: c.state === "running" || c.state === "external" ? await c.healthy() : false,
      detail: c.detail ?? null,
    })),
  );
}

let phase: "starting" | "ready" | "failed" = "starting";
let failure: string | undefined;

const control = http.createServer(async (req, res) => {
  const reply = (code: number, body: unknown) => {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  try {
    const url = new URL(req.url ?? "/", "http://x");
    const [, verb, name] = url.pathname.split("/");
    if (verb === "status") return reply(200, { phase, failure: failure ?? null, components: await status() });
    if (verb === "down" && req.method === "POST") {
      reply(202, { stopping: true });
      await down();
      control.close();
      process.exit(0);
    }
    const target = name ? byName.get(name) : undefined;
    if ((verb === "stop" || verb === "start") && req.method === "POST") {
      if (!target) return reply(404, { error: `no component named ${name}; known: ${[...byName.keys()].join(", ")}` });
      if (verb === "stop") await target.stop((url.searchParams.get("signal") ?? "SIGTERM") as NodeJS.Signals);
      else if (target.state !== "running") await target.start();
      return reply(200, { name: target.name, state: target.state, detail: target.detail ?? null });
    }
    reply(404, { error: "unknown command" });
  } catch (err) {
    reply(500, { error: (err as Error).message });
  }
});

control.listen(0, "127.0.0.1", () => {
  const address = control.address();
  const controlPort = typeof address === "object" && address ? address.port : 0;
  writeFileSync(path.join(stackDir, "supervisor.json"), JSON.stringify({ pid: process.pid, controlPort }));
  up().then(
    () => {
      phase = "ready";
    },
    (err) => {
      phase = "failed";
      failure = err instanceof Error ? err.message : String(err);
    },
  );
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    void down().finally(() => process.exit(0));
  });
}

export { SERVER_NAMES };
