import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "vitest";

/**
 * The real `buf curl` for tests: how to run it, the methods each service declares, and one read
 * per service with what its answer must be (scripts/test/buf-curl.test.ts runs each in every mode).
 */

const repoRoot = path.resolve(import.meta.dirname, "../..");
export const BUF = path.join(repoRoot, "node_modules/.bin/buf");
const execFileAsync = promisify(execFile);

/** Answers are read field by field; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; a non-zero exit is an answer (buf curl exits 8 × the RPC's code), not a throw. */
export async function run(file: string, args: string[], env?: Record<string, string | undefined>): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { cwd: repoRoot, env, timeout: 15_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw err;
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/** Package, service and methods as shared/proto declares them: what reflection must list. */
export function declaredMethods(service: string): string[] {
  // Every service its folder's protos declare: payment serves PaymentService and PointsService.
  const dir = path.join(repoRoot, `shared/proto/checkoutsaga/${service}/v1`);
  const methods = readdirSync(dir)
    .filter((file) => file.endsWith(".proto"))
    .sort()
    .flatMap((file) => {
      const proto = readFileSync(path.join(dir, file), "utf8");
      const pkg = proto.match(/^package ([\w.]+);/m)?.[1];
      return [...proto.matchAll(/^service (\w+) \{$([\s\S]*?)^\}/gm)].flatMap(([, name, body]) =>
        [...(body ?? "").matchAll(/^\s*rpc (\w+)\(/gm)].map((m) => `${pkg}.${name}/${m[1]}`),
      );
    });
  expect(methods.length).toBeGreaterThan(0);
  return methods;
}

export interface Read {
  service: string;
  method: string;
  body: Json;
  check(answer: Run): void;
}

export const answerOf = (r: Run): Json => {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

/** A user no test buys as: everything of theirs is empty. */
export const NOBODY = "buf-curl-nobody";

export const READS: Read[] = [
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
    check: (r) => expect(answerOf(r)).toEqual({ cart: { userId: NOBODY, currency: "USD" } }),
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

export const MODES = [
  { name: "Connect, reflection", flags: [] },
  { name: "gRPC, reflection", flags: ["--protocol", "grpc"] },
  { name: "Connect, --schema shared/proto", flags: ["--schema", "shared/proto"] },
  { name: "gRPC, --schema shared/proto", flags: ["--schema", "shared/proto", "--protocol", "grpc"] },
];
