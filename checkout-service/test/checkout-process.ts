import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createServiceClient, createServiceTransport } from "@checkout-saga/shared";
import { CheckoutService } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface CheckoutProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly client: ReturnType<typeof createServiceClient<typeof CheckoutService>>;
  /** Resolves when the process has exited, with how. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed so far (for failure messages). */
  output(): string;
  /** SIGTERM (a clean stop), SIGKILL if it is still there after `graceMs`; waits for the exit. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs the checkout service the way production does: its own OS process, `node --import tsx
 * checkout-service/src/main.ts`, configured by `env` only. It listens on a port of its own
 * choosing (CHECKOUT_PORT=0, read back from its "started" log line), so no other test can take
 * the port between choosing and binding. Resolves once it has started.
 */
export async function startCheckoutProcess(env: Record<string, string>): Promise<CheckoutProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "checkout-service/src/main.ts"], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      CHECKOUT_PORT: "0",
      LOG_LEVEL: "info",
      // Its own process would default to production's credentials; these tests are about crashes.
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
    const port = /"port":(\d+)[^\n]*"msg":"checkout service started"/.exec(output)?.[1];
    if (port) startedOn(Number(port));
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const running = () => child.exitCode === null && child.signalCode === null;

  const stop = async (graceMs = 10_000) => {
    if (!running()) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };

  let timer: NodeJS.Timeout | undefined;
  const port = await Promise.race([
    started,
    exited.then(() => {
      throw new Error(`the checkout process exited while starting:\n${output}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the checkout process did not start within 60 s:\n${output}`)), 60_000);
    }),
  ])
    .catch(async (err) => {
      await stop();
      throw err;
    })
    .finally(() => clearTimeout(timer));
  const client = createServiceClient(CheckoutService, createServiceTransport(`http://127.0.0.1:${port}`));
  return { child, port, client, exited, output: () => output, stop };
}
