import type { ChildProcess } from "node:child_process";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interruptEmbeddedProcess, isolatedEmbeddedEnv, startEmbeddedProcess } from "../lib/embedded-process.js";

/**
 * The real `buf curl` against one embedded system: every service lists its methods
 * through reflection and answers a read over Connect and gRPC, with reflection and with
 * `--schema shared/proto`.
 */

const repoRoot = path.resolve(import.meta.dirname, "../..");
const BUF = path.join(repoRoot, "node_modules/.bin/buf");
const execFileAsync = promisify(execFile);

/** Answers are read field by field; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; a non-zero exit is an answer (buf curl exits 8 × the RPC's code), not a throw. */
async function run(file: string, args: string[], env?: Record<string, string | undefined>): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { cwd: repoRoot, env, timeout: 15_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw err;
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

let system: ChildProcess | undefined;
let isolated: Awaited<ReturnType<typeof isolatedEmbeddedEnv>>;

beforeAll(async () => {
  isolated = await isolatedEmbeddedEnv("checkout-saga-buf-curl-", { LOG_LEVEL: "warn" });
  system = await startEmbeddedProcess(isolated.env);
});

afterAll(async () => {
  if (system) await interruptEmbeddedProcess(system);
  if (isolated) await rm(isolated.dataDir, { recursive: true, force: true });
});

const baseUrl = (service: string) => `http://127.0.0.1:${isolated.env[`${service.toUpperCase()}_PORT`]}`;

/** Package, service and methods as shared/proto declares them: what reflection must list. */
function declaredMethods(service: string): string[] {
  const proto = readFileSync(path.join(repoRoot, `shared/proto/checkoutsaga/${service}/v1/${service}.proto`), "utf8");
  const pkg = proto.match(/^package ([\w.]+);/m)?.[1];
  const name = proto.match(/^service (\w+) \{/m)?.[1];
  const rpcs = [...proto.matchAll(/^\s*rpc (\w+)\(/gm)].map((m) => m[1]);
  expect(pkg && name && rpcs.length).toBeTruthy();
  return rpcs.map((rpc) => `${pkg}.${name}/${rpc}`);
}

interface Read {
  service: string;
  method: string;
  body: Json;
  check(answer: Run): void;
}

const answerOf = (r: Run): Json => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

/** A user no test of this file buys as: everything of theirs is empty. */
const NOBODY = "buf-curl-nobody";

const READS: Read[] = [
  {
    service: "product",
    method: "GetProducts",
    body: { ids: ["1"] },
    check: (r) =>
      expect(answerOf(r)).toMatchObject({
        products: [{ id: "1", name: "Laptop", price: { currency: "USD", amountMinor: "129999" } }],
      }),
  },
  {
    service: "product",
    method: "ListProducts",
    body: { pageSize: 2 },
    check: (r) => {
      const answer = answerOf(r);
      expect(answer.products.map((p: Json) => p.name)).toEqual(["Laptop", "Mouse"]);
      expect(answer.nextPageToken).toBeTruthy();
    },
  },
  {
    service: "cart",
    method: "GetCart",
    body: { userId: NOBODY },
    check: (r) => expect(answerOf(r)).toEqual({ cart: { userId: NOBODY } }),
  },
  {
    service: "inventory",
    method: "GetStock",
    body: { productIds: ["1"] },
    check: (r) => expect(answerOf(r)).toEqual({ stocks: [{ productId: "1", available: expect.any(Number) }] }),
  },
  {
    service: "payment",
    method: "GetPayment",
    body: { paymentId: "no-such-payment" },
    check: (r) => {
      expect(r.code).toBe(5 * 8); // not_found
      expect(JSON.parse(r.stderr)).toMatchObject({
        code: "not_found",
        message: "payment no-such-payment does not exist",
      });
    },
  },
  {
    service: "orders",
    method: "ListOrders",
    body: { userId: NOBODY },
    check: (r) => expect(answerOf(r)).toEqual({}),
  },
  {
    service: "checkout",
    method: "ListCheckouts",
    body: { userId: NOBODY },
    check: (r) => expect(answerOf(r)).toEqual({}),
  },
];

const MODES = [
  { name: "Connect, reflection", flags: [] },
  { name: "gRPC, reflection", flags: ["--protocol", "grpc"] },
  { name: "Connect, --schema shared/proto", flags: ["--schema", "shared/proto"] },
  { name: "gRPC, --schema shared/proto", flags: ["--schema", "shared/proto", "--protocol", "grpc"] },
];

describe("buf curl against every service", () => {
  const services = [...new Set(READS.map((r) => r.service))];
  it("covers every service the repo declares", () => {
    const { workspaces } = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
      workspaces: string[];
    };
    const declared = workspaces.filter((w) => w.endsWith("-service")).map((w) => w.replace(/-service$/, ""));
    expect([...services].sort()).toEqual(declared.sort());
  });

  it.each(services)("%s lists its methods through reflection", async (service) => {
    const listed = await run(BUF, ["curl", "--http2-prior-knowledge", "--list-methods", baseUrl(service)]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.trim().split("\n")).toEqual(
      [...declaredMethods(service), "grpc.reflection.v1.ServerReflection/ServerReflectionInfo"].sort(),
    );
  });

  const cases = READS.flatMap((read) =>
    MODES.map((mode) => [`${read.service} ${read.method}`, mode.name, read, mode] as const),
  );
  it.each(cases)("%s (%s)", async (_call, _mode, read, mode) => {
    const [fullMethod] = declaredMethods(read.service).filter((m) => m.endsWith(`/${read.method}`));
    read.check(
      await run(BUF, [
        "curl",
        "--http2-prior-knowledge",
        ...mode.flags,
        "-d",
        JSON.stringify(read.body),
        `${baseUrl(read.service)}/${fullMethod}`,
      ]),
    );
  });
});
