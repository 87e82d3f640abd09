import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, openSync, rmSync } from "node:fs";
import path from "node:path";
import { envReader } from "@checkout-saga/shared";
import { createProgress, type ProgressEvent } from "./lib/progress.js";
import { credentialBanner } from "./lib/rpc-credential-flags.js";
import { installKafka } from "./provision/servers.js";
import { readStackCredentials } from "./stack/infra-credentials.js";
import { readSupervisorState, type SupervisorState, supervisorStateFile } from "./stack/supervisor-state.js";
import { CREDENTIALED_PROCESSES, serverEnv, stackDirOf, stackPorts } from "./stack/wiring.js";

/** Replies are read field by field and checked; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

const usage = `usage: npm run stack -- <command>

Production mode on one machine: real PostgreSQL, Redis, Kafka (KRaft) and FerretDB
(MongoDB wire), provisioned and cached under ~/.cache/checkout-saga, and every service as
its own OS process. State and logs live in .data/stack/ (STACK_DIR overrides), the services'
keys in its rpc-keys/: 'up' makes them once and prints the buf curl flags that carry a
credential (npm run rpc-credentials -- --help for fresh ones, and a user's assertion).

  up                         start everything; returns when every part is ready
  down                       stop everything that up started
  status                     each process and server with its address and health
  stop <name> [--signal KILL]  stop one service or server (for fault drills)
  start <name>               start it again with the same settings
  console-consumer [--topic T] [args]
                             Kafka's own console consumer on checkout-events (or topic T, e.g.
                             order-events) of this stack, as its admin: from the beginning, a line
                             per event with its headers (event-type, …) and key; the protobuf
                             value only with --property print.value=true (extra args go to the tool)
  outbox <args>              the outbox CLI (npm run outbox) with this stack's settings for it:
                             the checkout database as checkout_service, Kafka as outbox-cli
  env <name>                 the server settings the stack gives <name> (a service, or
                             outbox-cli), NAME=value a line: its URLs with its own passwords

'up' passes its environment to every process, so any setting can be changed for a drill:
  PAYMENT_LATENCY_MS=1500 npm run stack -- up
  RPC_CREDENTIALS=off npm run stack -- up     (ports trust any caller, as in embedded mode)

Nothing connects to the stack's servers without a password: each service has its own
PostgreSQL role (owning its database only), Kafka user (SCRAM, with ACLs), Redis user, and
the cart service its FerretDB login.
'up' generates them once into infra-credentials.json in the state dir (mode 0600) and
passes each process its own by env.`;

const repoRoot = path.resolve(import.meta.dirname, "..");
const stackDir = stackDirOf(process.env, repoRoot);
const stateFile = supervisorStateFile(stackDir);

interface ComponentStatus {
  name: string;
  kind: string;
  address: string;
  pid: number | null;
  state: string;
  /** Servers: the port answers; services: GET /health/ready answers 200. */
  healthy: boolean;
  detail: string | null;
}
interface Status {
  phase: "starting" | "ready" | "failed";
  failure: string | null;
  components: ComponentStatus[];
}

function supervisor(): SupervisorState | undefined {
  const state = readSupervisorState(stackDir);
  // A supervisor that died without `down` leaves its file behind.
  if (!state) rmSync(stateFile, { force: true });
  return state;
}

/** The ports the running stack recorded; this env's (STACK_*_PORT) when none runs or it recorded none. */
function serverPorts() {
  return supervisor()?.ports ?? stackPorts(process.env);
}

async function command(verb: string, method = "GET"): Promise<{ status: number; body: Json }> {
  const s = supervisor();
  if (!s) throw new Error("the stack is not running (npm run stack -- up)");
  const res = await fetch(`http://127.0.0.1:${s.controlPort}/${verb}`, { method });
  return { status: res.status, body: await res.json() };
}

class UserError extends Error {}

function printStatus(status: Status) {
  const rows = status.components.map((c) => [
    c.name,
    c.kind,
    c.state,
    c.state === "running" || c.state === "external"
      ? c.healthy
        ? "healthy"
        : c.kind === "service"
          ? "NOT READY"
          : "NOT ANSWERING"
      : "-",
    c.pid === null ? "-" : String(c.pid),
    c.address,
    c.detail ?? "",
  ]);
  const head = ["NAME", "KIND", "STATE", "HEALTH", "PID", "ADDRESS", "DETAIL"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [head, ...rows])
    console.log(
      r
        .map((v, i) => v.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    );
  console.log(
    `\nstack: ${status.phase}${status.failure ? ` — ${status.failure}` : ""}   logs: ${path.join(stackDir, "logs")}`,
  );
}

async function up() {
  // The supervisor's progress, from its first event when this call starts it (else from now).
  let seen = 0;
  if (supervisor()) seen = ((await command("progress")).body as { next: number }).next;
  else {
    mkdirSync(path.join(stackDir, "logs"), { recursive: true });
    const log = openSync(path.join(stackDir, "logs", "supervisor.log"), "a");
    const child = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "scripts/stack/supervisor.ts")], {
      cwd: repoRoot,
      env: process.env,
      detached: true,
      stdio: ["ignore", log, log],
    });
    child.unref();
    // Generous: on a busy two-core machine, tsx compiling the supervisor's modules afresh takes seconds.
    const deadline = Date.now() + 30_000;
    while (!supervisor()) {
      if (Date.now() > deadline)
        throw new Error(`the supervisor did not start; see ${path.join(stackDir, "logs/supervisor.log")}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log("starting the stack (the first run downloads Kafka and builds FerretDB: a few minutes)…");
  }
  const deadline = Date.now() + 15 * 60_000;
  const progress = createProgress({ stream: process.stdout });
  for (;;) {
    const status = (await command("status")).body as Status;
    // Read after the status, so a phase that is over comes with every event that led to it.
    const { events, next } = (await command(`progress?from=${seen}`)).body as { events: ProgressEvent[]; next: number };
    for (const event of events) progress.apply(event);
    seen = next;
    if (status.phase !== "starting") {
      printStatus(status);
      if (status.phase === "failed") process.exit(1);
      const gateway = status.components.find((c) => c.name === "gateway");
      if (gateway) console.log(`\nAPI reference: ${gateway.address}/docs`);
      // Production mode: credentials on unless the environment given to `up` turned them off.
      if (envReader(process.env).bool("RPC_CREDENTIALS", true)) {
        const services = status.components
          .filter((c) => c.kind === "service")
          .map((c) => ({ name: c.name, url: c.address }));
        const keysDir = path.join(stackDir, "rpc-keys");
        const flag = process.env.STACK_DIR ? ` --keys-dir ${keysDir}` : "";
        console.log(`\n${await credentialBanner(keysDir, services, flag)}`);
      }
      return;
    }
    if (Date.now() > deadline) throw new Error("the stack did not become ready within 15 minutes");
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function main() {
  const [verb, name, ...rest] = process.argv.slice(2);
  switch (verb) {
    case "up":
      return up();
    case "down": {
      const s = supervisor();
      if (!s) return console.log("the stack is not running");
      await command("down", "POST");
      const deadline = Date.now() + 60_000;
      while (supervisor() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      rmSync(stateFile, { force: true });
      return console.log("stack stopped");
    }
    case "status":
      return printStatus((await command("status")).body as Status);
    case "stop":
    case "start": {
      if (!name) throw new UserError(`${verb} needs a name`);
      let signal = "SIGTERM";
      if (verb === "stop" && rest[0] === "--signal") signal = `SIG${(rest[1] ?? "").replace(/^SIG/, "")}`;
      else if (rest.length > 0) throw new UserError(`unexpected ${rest.join(" ")}`);
      const r = await command(
        `${verb}/${encodeURIComponent(name)}${verb === "stop" ? `?signal=${signal}` : ""}`,
        "POST",
      );
      if (r.status === 404) throw new UserError(r.body.error);
      if (r.status !== 200) throw new Error(r.body.error);
      return console.log(`${r.body.name}: ${r.body.state}${r.body.detail ? ` (${r.body.detail})` : ""}`);
    }
    case "console-consumer": {
      const kafka = ((await command("status")).body as Status).components.find((c) => c.name === "kafka");
      if (kafka?.state !== "running") throw new Error("kafka is not running in this stack");
      const { location } = await installKafka();
      const args = [name, ...rest].filter((a): a is string => a !== undefined);
      const topicAt = args.indexOf("--topic");
      const topic = topicAt >= 0 ? args[topicAt + 1] : "checkout-events";
      if (!topic) throw new UserError("--topic needs a topic name, e.g. --topic order-events");
      if (topicAt >= 0) args.splice(topicAt, 2);
      const tool = spawnSync(
        "java",
        [
          "-cp",
          `${path.join(location, "libs")}/*`,
          "org.apache.kafka.tools.consumer.ConsoleConsumer",
          "--bootstrap-server",
          kafka.address,
          // The broker admits no anonymous client: the admin's SASL settings, from the 0600 file startKafka wrote.
          "--consumer.config",
          path.join(stackDir, "kafka", "admin-client.properties"),
          "--topic",
          topic,
          "--from-beginning",
          "--property",
          "print.key=true",
          // The values are protobuf envelopes, unreadable on a terminal; the headers name each event.
          "--property",
          "print.headers=true",
          "--property",
          "print.value=false",
          "--timeout-ms",
          "10000",
          ...args,
        ],
        { stdio: ["inherit", "inherit", "pipe"] },
      );
      // The tools jar has no log4j configuration of its own; its complaint about that is noise.
      const stderr = tool.stderr.toString().replace(/^log4j:WARN.*\n/gm, "");
      if (stderr) process.stderr.write(stderr);
      return process.exit(tool.status ?? 1);
    }
    case "outbox": {
      const settings = serverEnv("outbox-cli", readStackCredentials(stackDir), serverPorts());
      const cli = spawnSync(
        process.execPath,
        [
          "--import",
          "tsx",
          path.join(repoRoot, "checkout-service/src/outbox/cli/main.ts"),
          ...[name, ...rest].filter((a) => a !== undefined),
        ],
        { cwd: repoRoot, env: { ...process.env, ...settings }, stdio: "inherit" },
      );
      return process.exit(cli.status ?? 1);
    }
    case "env": {
      if (!name || rest.length > 0) throw new UserError(`env needs one name: ${CREDENTIALED_PROCESSES.join(", ")}`);
      if (!CREDENTIALED_PROCESSES.includes(name)) {
        throw new UserError(`no process named ${name}; known: ${CREDENTIALED_PROCESSES.join(", ")}`);
      }
      const settings = serverEnv(name, readStackCredentials(stackDir), serverPorts());
      for (const [key, value] of Object.entries(settings)) console.log(`${key}=${value}`);
      return;
    }
    case "--help":
    case "-h":
    case "help":
      return console.log(usage);
    default:
      throw new UserError(verb ? `unknown command "${verb}"` : "a command is required");
  }
}

try {
  await main();
} catch (err) {
  if (err instanceof UserError) {
    console.error(`${err.message}\n\n${usage}`);
    process.exit(2);
  }
  console.error(`stack: ${(err as Error).message}`);
  process.exit(1);
}
