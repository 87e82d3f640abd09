import { readdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import postgres from "postgres";
import { interruptEmbeddedProcess, isolatedEmbeddedEnv, startEmbeddedProcess } from "../lib/embedded-process.js";
import { stackDatabaseUrl, stackSuperuserUrl, startIsolatedStack, waitUntilReady } from "../lib/stack-process.js";
import { SERVICES } from "../stack/topology.js";
import type { ProcessTree } from "./process-cpu.js";

/** The system the checkout bench loads. */
export interface CheckoutBenchTarget {
  description: string;
  gatewayUrl: string;
  /** What the bench can see of a system it started; a gateway it was only given the URL of shows none of it. */
  internals?: SystemInternals;
  /** Stops what the bench started; what it says about the stop (a profile written) is printed. */
  stop(): Promise<string[]>;
}

export interface SystemInternals {
  /** The `postgres` database of the system's PostgreSQL server. */
  postgresUrl: string;
  /** Every service's /metrics. */
  metricsUrls: string[];
  /** Read once at start: asking the stack's supervisor runs every health check, which must not land in a measurement. */
  processTree: ProcessTree;
}

/** Stock no bench run can sell out: a refusal would measure the refusal path. */
const AMPLE_STOCK = 100_000_000;
/** The bench measures the system, not its limiter. */
const BENCH_ENV = { RATE_LIMIT_PER_MINUTE: "0" };

export function givenGateway(url: string): CheckoutBenchTarget {
  return { description: url, gatewayUrl: url, stop: async () => [] };
}

/** The embedded system in its own process, as `npm start` runs it, so the load generator does not share its event loop. */
export async function startEmbeddedTarget(options: { cpuProfileDir?: string }): Promise<CheckoutBenchTarget> {
  const isolated = await isolatedEmbeddedEnv("checkout-saga-bench-", BENCH_ENV);
  const removeData = () => rm(isolated.dataDir, { recursive: true, force: true });
  const profileDir = options.cpuProfileDir;
  const profilesBefore = new Set(profileDir ? await readdir(profileDir) : []);
  const nodeArgs = profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [];
  const system = await startEmbeddedProcess(isolated.env, nodeArgs).catch(async (err) => {
    await removeData();
    throw err;
  });
  const pid = system.pid!;
  const stop = async () => {
    // SIGINT: the system stops itself and exits, which is when node writes the profile.
    await interruptEmbeddedProcess(system);
    await removeData();
    if (!profileDir) return [];
    const written = (await readdir(profileDir)).filter((f) => !profilesBefore.has(f));
    // Node names them CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile; thread 0 is the main thread.
    return written.map((f) => {
      const thread = f.split(".")[4];
      return `CPU profile of the embedded system's ${thread === "0" ? "main thread" : `worker thread ${thread}`}: ${path.join(profileDir, f)}`;
    });
  };
  try {
    await raiseStock(isolated.databaseUrl("inventory"));
  } catch (err) {
    await stop();
    throw err;
  }
  const adminPorts = ["PRODUCT", "CART", "INVENTORY", "PAYMENT", "ORDERS", "CHECKOUT"].map(
    (name) => isolated.env[`${name}_ADMIN_PORT`],
  );
  return {
    description: `embedded system started by the benchmark (pid ${pid})`,
    gatewayUrl: isolated.gatewayUrl,
    internals: {
      postgresUrl: isolated.databaseUrl("postgres"),
      metricsUrls: [...adminPorts.map((port) => `http://127.0.0.1:${port}/metrics`), `${isolated.gatewayUrl}/metrics`],
      processTree: { root: pid, groups: new Map([[pid, "node (embedded system)"]]) },
    },
    stop,
  };
}

/** `npm run stack -- up` on free ports in a temp dir: every service its own process, on the real servers. */
export async function startStackTarget(): Promise<CheckoutBenchTarget> {
  const stack = await startIsolatedStack("checkout-saga-bench-stack-", BENCH_ENV);
  const stop = async () => {
    await stack.stop();
    return [];
  };
  let processTree: ProcessTree;
  try {
    if (!(await waitUntilReady(stack.env, "gateway", 60_000))) throw new Error("the stack's gateway never got ready");
    await raiseStock(stackDatabaseUrl(stack.env, "inventory"));
    processTree = await stackProcessTree(stack.stackDir);
  } catch (err) {
    await stop();
    throw err;
  }
  const postgresUrl = new URL(stackSuperuserUrl(stack.env, "postgres"));
  return {
    description: `production stack started by the benchmark (npm run stack, state in ${stack.stackDir})`,
    gatewayUrl: stack.gatewayUrl,
    internals: {
      postgresUrl: postgresUrl.href,
      metricsUrls: SERVICES.map((s) => `http://127.0.0.1:${stack.env[s.adminPortVar]}/metrics`),
      processTree,
    },
    stop,
  };
}

/**
 * The supervisor's status knows its services' pids; its servers (postgres, redis, kafka's
 * java, ferretdb) are its other children and go by their command names.
 */
async function stackProcessTree(stackDir: string): Promise<ProcessTree> {
  const supervisor = JSON.parse(await readFile(path.join(stackDir, "supervisor.json"), "utf8")) as {
    pid: number;
    controlPort: number;
  };
  const res = await fetch(`http://127.0.0.1:${supervisor.controlPort}/status`);
  const status = (await res.json()) as { components: { name: string; pid: number | null }[] };
  const groups = new Map<number, string>([[supervisor.pid, "stack supervisor"]]);
  for (const c of status.components) if (c.pid !== null) groups.set(c.pid, c.name);
  return { root: supervisor.pid, groups };
}

async function raiseStock(inventoryUrl: string) {
  const sql = postgres(inventoryUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`update stock set available = ${AMPLE_STOCK}`;
  } finally {
    await sql.end();
  }
}
