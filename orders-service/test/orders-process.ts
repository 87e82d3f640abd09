import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createServiceClient, createServiceTransport } from "@checkout-saga/shared";
import { OrdersService } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface OrdersProcess {
  readonly child: ChildProcess;
  readonly client: ReturnType<typeof createServiceClient<typeof OrdersService>>;
  /** Resolves when the process has exited, with how. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed lately (for failure messages). */
  output(): string;
  /** SIGTERM, SIGKILL if it is still there after `graceMs`; waits for the exit. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs orders-service as its own OS process (orders-process-main.ts), configured by `env` only,
 * on a port of its own choosing (read back from its "started" line). Resolves once it serves.
 */
export async function startOrdersProcess(env: Record<string, string>): Promise<OrdersProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "orders-service/test/orders-process-main.ts"], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      ORDERS_PORT: "0",
      LOG_LEVEL: "info",
      RPC_CREDENTIALS: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let startedOn: (port: number) => void = () => {};
  const started = new Promise<number>((resolve) => {
    startedOn = resolve;
  });
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    const port = /"port":(\d+)[^\n]*"msg":"orders test process started"/.exec(output)?.[1];
    if (port) startedOn(Number(port));
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  let timer: NodeJS.Timeout | undefined;
  const port = await Promise.race([
    started,
    exited.then(() => {
      throw new Error(`the orders process exited while starting:\n${output}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the orders process did not start within 60 s:\n${output}`)), 60_000);
    }),
  ])
    .catch(async (err) => {
      await stop();
      throw err;
    })
    .finally(() => clearTimeout(timer));
  const client = createServiceClient(OrdersService, createServiceTransport(`http://127.0.0.1:${port}`));
  return { child, client, exited, output: () => output, stop };
}
