import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { defaultAdminPorts, defaultPorts, USER_ASSERTION_HEADER } from "@checkout-saga/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUF, declaredMethods, MODES, NOBODY, READS, type Read, type Run, run } from "../lib/buf-curl.js";
import {
  type EmbeddedProcess,
  interruptEmbeddedProcess,
  isolatedEmbeddedEnv,
  startEmbeddedProcess,
} from "../lib/embedded-process.js";
import { type Block, fencedBlocks, jsonValues, tableRows } from "../lib/markdown-blocks.js";
import { credentialsInBanner } from "../lib/rpc-credential-flags.js";

/**
 * The real `buf curl` against one embedded system in step mode, service credentials off (its
 * default): every service lists its methods through reflection and answers a read over Connect
 * and gRPC, with reflection and with `--schema shared/proto`; then docs/buf-curl-walk.md is
 * walked by running its own `sh` blocks and comparing what they print with the answers the doc
 * shows, so the doc cannot drift. And against a second one with credentials on: the same reads
 * with the flags `npm start` printed (and `npm run rpc-credentials` for a user's), refused
 * without them.
 */

const repoRoot = path.resolve(import.meta.dirname, "../..");
const WALK_DOC = path.join(repoRoot, "docs/buf-curl-walk.md");

/** Answers are read field by field; their shape is what is under test. */
// biome-ignore lint/suspicious/noExplicitAny: see above
type Json = any;

let system: ChildProcess | undefined;
let isolated: Awaited<ReturnType<typeof isolatedEmbeddedEnv>>;

beforeAll(async () => {
  isolated = await isolatedEmbeddedEnv("checkout-saga-buf-curl-", { SAGA_STEP_MODE: "true", LOG_LEVEL: "warn" });
  system = await startEmbeddedProcess(isolated.env);
});

afterAll(async () => {
  if (system) await interruptEmbeddedProcess(system);
  if (isolated) await rm(isolated.dataDir, { recursive: true, force: true });
});

const baseUrl = (service: string) => `http://127.0.0.1:${isolated.env[`${service.toUpperCase()}_PORT`]}`;

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
    read.check(await curl(baseUrl(read.service), read, mode.flags));
  });
});

/** `buf curl` of one read at `url`, with `flags` (a mode's, headers). */
function curl(url: string, read: Read, flags: string[]): Promise<Run> {
  const [fullMethod] = declaredMethods(read.service).filter((m) => m.endsWith(`/${read.method}`));
  return run(BUF, [
    "curl",
    "--http2-prior-knowledge",
    ...flags,
    "-d",
    JSON.stringify(read.body),
    `${url}/${fullMethod}`,
  ]);
}

describe("buf curl where service credentials are on (npm start with RPC_CREDENTIALS=on)", () => {
  let secured: EmbeddedProcess | undefined;
  let env: Awaited<ReturnType<typeof isolatedEmbeddedEnv>>;
  /** The -H flags each read goes with. */
  const flags = new Map<string, string[]>();
  const asFlags = (headers: Record<string, string>) =>
    Object.entries(headers).flatMap(([k, v]) => ["-H", `${k}: ${v}`]);

  beforeAll(async () => {
    env = await isolatedEmbeddedEnv("checkout-saga-buf-curl-on-", { RPC_CREDENTIALS: "on", LOG_LEVEL: "warn" });
    secured = await startEmbeddedProcess(env.env);
    // The developer's flags npm start printed; the cart acts as a user, so its read also takes
    // that user's assertion, from the CLI.
    for (const [service, headers] of credentialsInBanner(secured.banner)) flags.set(service, asFlags(headers));
    const cli = await run("npm", [
      ...["run", "-s", "rpc-credentials", "--", "--service", "cart", "--user", NOBODY, "--json"],
      ...["--keys-dir", path.join(env.dataDir, "rpc-keys")],
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    const { expires_at: _, ...headers } = JSON.parse(cli.stdout);
    expect(Object.keys(headers)).toEqual(["authorization", USER_ASSERTION_HEADER]);
    flags.set("cart-service", asFlags(headers));
  });

  afterAll(async () => {
    if (secured) await interruptEmbeddedProcess(secured);
    if (env) await rm(env.dataDir, { recursive: true, force: true });
  });

  const urlOf = (service: string) => `http://127.0.0.1:${env.env[`${service.toUpperCase()}_PORT`]}`;
  const services = [...new Set(READS.map((r) => r.service))];

  it.each(services)("%s lists its methods without a credential: reflection stays open", async (service) => {
    const listed = await run(BUF, ["curl", "--http2-prior-knowledge", "--list-methods", urlOf(service)]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(declaredMethods(service)[0]);
  });

  const cases = READS.flatMap((read) =>
    MODES.map((mode) => [`${read.service} ${read.method}`, mode.name, read, mode] as const),
  );
  it.each(cases)("%s (%s) answers with the printed flags", async (_call, _mode, read, mode) => {
    const headers = flags.get(`${read.service}-service`);
    expect(headers, `no flags printed for ${read.service}`).toBeDefined();
    read.check(await curl(urlOf(read.service), read, [...mode.flags, ...(headers ?? [])]));
  });

  it.each(cases)("%s (%s) is unauthenticated without them", async (_call, _mode, read, mode) => {
    const refused = await curl(urlOf(read.service), read, mode.flags);
    expect(refused.code).toBe(16 * 8); // buf curl exits 8 × the code: unauthenticated
    expect(JSON.parse(refused.stderr)).toMatchObject({
      code: "unauthenticated",
      message: expect.stringMatching(/^service credential: none sent/),
    });
  });
});

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
/** A konbini voucher's number: drawn at random like an id, so the doc's stands for the real one as an id does. */
const CONFIRMATION_NUMBER = /(?<!\d)[1-9]\d{10}(?!\d)/;
const ID = new RegExp(`${UUID.source}|${CONFIRMATION_NUMBER.source}`);
const TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/;
const PAIR = /"(\w+)":\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)/g;
/** Bytes that encode ids (an ErrorDetail's `value`): they differ from the doc's as the ids do. */
const OPAQUE = new Set(["value"]);

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const pairsOf = (text: string) => [...text.matchAll(PAIR)].map((m) => [m[1] ?? "", m[2] ?? ""] as const);

/**
 * The doc's ids, each with the real id at the same place in the real answers: what the doc's
 * commands are rewritten with, and what later answers must show where the doc shows that id.
 */
const ids = new Map<string, string>();

/** The ids `real` gives the doc's unknown ids if it is `shown` with other ids and times; undefined if it is not. */
function idsIfSame(key: string, shown: string, real: string): Map<string, string> | undefined {
  if (OPAQUE.has(key)) return new Map();
  const unknown: string[] = [];
  const pattern = shown
    .split(new RegExp(`(${ID.source}|${TIME.source})`))
    .map((part, i) => {
      if (i % 2 === 0) return escapeRegExp(part);
      const kind = [UUID, CONFIRMATION_NUMBER].find((id) => new RegExp(`^${id.source}$`).test(part));
      if (!kind) return TIME.source;
      const known = ids.get(part);
      if (known) return escapeRegExp(known);
      unknown.push(part);
      return `(${kind.source})`;
    })
    .join("");
  const match = real.match(new RegExp(`^${pattern}$`));
  return match ? new Map(unknown.map((id, i) => [id, match[i + 1] ?? ""])) : undefined;
}

/**
 * `real` has every `"key": value` of the doc's `shown` answer (an excerpt, `...` where it leaves
 * things out), in the same order; ids and times may differ, but each doc id stands for one real id.
 */
function expectShown(real: string, shown: string) {
  const wanted = pairsOf(shown);
  expect(wanted.length, `no "key": value in the doc's answer:\n${shown}`).toBeGreaterThan(0);
  const have = pairsOf(real);
  let i = 0;
  for (const [key, value] of wanted) {
    let learned: Map<string, string> | undefined;
    for (; i < have.length; i++) {
      const [realKey, realValue] = have[i] ?? [];
      learned = realKey === key && realValue !== undefined ? idsIfSame(key, value, realValue) : undefined;
      if (learned) break;
    }
    expect(learned, `the doc shows "${key}": ${value} (in this order), the command printed:\n${real}`).toBeDefined();
    for (const [docId, realId] of learned ?? []) {
      expect([...ids.values()], `${realId} is already another of the doc's ids`).not.toContain(realId);
      ids.set(docId, realId);
    }
    i++;
  }
}

/** The doc's command for this system: its own ports, and the ids the answers so far gave the doc's ids. */
function forThisSystem(command: string): string {
  const ports = [
    ...Object.entries(defaultPorts).map(([service, p]) => [p, `${service.toUpperCase()}_PORT`] as const),
    ...Object.entries(defaultAdminPorts).map(([service, p]) => [p, `${service.toUpperCase()}_ADMIN_PORT`] as const),
  ];
  return command
    .replace(/127\.0\.0\.1:(\d+)/g, (address, port) => {
      const setting = ports.find(([p]) => p === Number(port))?.[1];
      if (!setting) throw new Error(`the doc calls ${address}, which is no service's default address`);
      return `127.0.0.1:${isolated.env[setting]}`;
    })
    .replace(new RegExp(ID.source, "g"), (id) => {
      const real = ids.get(id);
      if (!real) throw new Error(`the doc uses ${id} before any answer it shows has it`);
      return real;
    });
}

/**
 * Runs a command as a reader's second shell would: from the repo root, keeping the variables the
 * doc sets (TOKEN, ID) from one block to the next.
 */
function shell(command: string): Promise<Run> {
  const state = path.join(isolated.dataDir, "walk-shell-variables");
  const script = [
    `[ -f '${state}' ] && . '${state}'`,
    `trap "declare -p TOKEN ID >'${state}' 2>/dev/null" EXIT`,
    forThisSystem(command),
  ].join("\n");
  return run("bash", ["-c", script], isolated.env);
}

// Each step runs several real `buf curl` processes one after another: seconds apiece on a busy machine.
describe("docs/buf-curl-walk.md, run as written", { timeout: 120_000 }, () => {
  const doc = readFileSync(WALK_DOC, "utf8");
  const blocks = fencedBlocks(doc);
  /** The `i`th `sh` block, and the `i`th block of what it printed, under step `n`'s heading. */
  const under = (n: number, i: number, sh: boolean): Block => {
    const block = blocks.filter((b) => b.heading.startsWith(`${n}. `) && (b.lang === "sh") === sh)[i];
    if (!block) throw new Error(`step ${n} of the doc has no ${sh ? "command" : "answer"} ${i + 1}`);
    return block;
  };
  const command = (n: number, i: number) => under(n, i, true);
  const shown = (n: number, i: number) => under(n, i, false).text;
  const ran = new Set<Block>();
  const runBlock = async (block: Block) => {
    ran.add(block);
    const r = await shell(block.text);
    expect(r.code, `${block.text}\nprinted to stderr:\n${r.stderr}`).toBe(0);
    return r;
  };
  const answer = (r: Run) => jsonValues(r.stdout)[0];
  let completed: Json;
  let failed: Json;

  it("1. starts the system with step mode allowed; the checkout service lists its methods", async () => {
    // beforeAll started it as `npm start` does, with the doc's setting.
    const startSystem = command(1, 0);
    expect(startSystem.text).toBe("SAGA_STEP_MODE=true npm start\n");
    expect(isolated.env.SAGA_STEP_MODE).toBe("true");
    ran.add(startSystem);
    expect((await runBlock(command(1, 1))).stdout).toBe(shown(1, 0));
  });

  it("2. puts the mouse in alice's cart through the gateway", async () => {
    expect(jsonValues((await runBlock(command(2, 0))).stdout)).toEqual([JSON.parse(shown(2, 0))]);
  });

  it("3. starts a checkout in step mode, nothing done yet", async () => {
    expectShown((await runBlock(command(3, 0))).stdout, shown(3, 0));
    await runBlock(command(3, 1));
  });

  it("4. advances it one transition per call, as the table says; a second tab is refused meanwhile", async () => {
    let checkout: Json;
    for (const [call, { status, reason }] of tableRows(doc, "4. ").entries()) {
      const r = await runBlock(command(4, 0));
      checkout = answer(r).checkout;
      expect([checkout.status, checkout.history.at(-1).reason], `call ${call + 1}`).toEqual([status, reason]);
      if (call === 0) {
        const initiate = command(3, 0).text;
        const secondTab = initiate.replace('"idempotencyKey":"walk-1"', '"idempotencyKey":"walk-1-second-tab"');
        expect(secondTab).not.toBe(initiate);
        const refused = await shell(secondTab);
        expect(refused.code).toBe(Number(doc.match(/`buf curl` exits with (\d+)/)?.[1]));
        expectShown(refused.stderr, shown(4, 0));
      }
      if (status === "CHECKOUT_STATUS_PAYMENT_COMPLETED") expectShown(r.stdout, shown(4, 1));
    }
    expect(checkout.status).toBe("CHECKOUT_STATUS_COMPLETED");
    // "Advancing a finished checkout changes nothing and returns it as it is": the stored row,
    // times included, is what call 5 answered.
    const finished = answer(await runBlock(command(4, 0))).checkout;
    expect(finished).toEqual(checkout);
    expect(answer(await runBlock(command(4, 0))).checkout).toEqual(finished);
  });

  it("5. shows its state and history, the same through REST; step 3's call replays its first answer", async () => {
    const r = await runBlock(command(5, 0));
    expectShown(r.stdout, shown(5, 0));
    completed = answer(r).checkout;
    // The order and the emptied cart follow CheckoutCompleted through the outbox: give them a moment.
    let rest: Json[] = [];
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      rest = jsonValues((await runBlock(command(5, 1))).stdout);
      if (rest[1]?.items?.length && rest[2]?.items?.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const [restCheckout, orders, cart] = rest;
    expect(restCheckout).toMatchObject({ checkout_id: completed.checkoutId, status: "COMPLETED" });
    expect(restCheckout.history).toHaveLength(completed.history.length);
    expect(orders.items).toMatchObject([{ checkout_id: completed.checkoutId }]);
    expect(cart.items).toEqual([]);
    expect(answer(await runBlock(command(3, 0)))).toMatchObject({
      replayed: true,
      checkout: { checkoutId: completed.checkoutId, status: "CHECKOUT_STATUS_INITIATED" },
    });
  });

  it("6. walks a declined payment through compensation, the stock moving as the table says", async () => {
    // "Put the mouse back in the cart (step 2's second `curl`)".
    expect(answer(await runBlock(command(2, 0))).items).toMatchObject([{ product_id: "2", quantity: 1 }]);
    const started = await runBlock(command(6, 0));
    expectShown(started.stdout, shown(6, 0));
    await runBlock(command(6, 1));
    const advanceAndStock = command(6, 2);
    const [, getStock = ""] = advanceAndStock.text.split(/\n(?=npx )/);
    expect(getStock).toMatch(/InventoryService\/GetStock/);
    const stockShown = (cell: string) => ({ stocks: [{ productId: "2", ...JSON.parse(`{${cell}}`) }] });
    const [before, ...calls] = tableRows(doc, "6. ");
    expect(answer(started).checkout.status).toBe(before?.status);
    expect(answer(await shell(getStock))).toEqual(stockShown(before?.more ?? ""));
    for (const [call, { status, reason, more: stock }] of calls.entries()) {
      const r = await runBlock(advanceAndStock);
      const [advanced, stocks] = jsonValues(r.stdout);
      failed = advanced.checkout;
      expect([failed.status, failed.history.at(-1).reason], `call ${call + 1}`).toEqual([status, reason]);
      expect(stocks, `call ${call + 1}`).toEqual(stockShown(stock));
      if (status === "CHECKOUT_STATUS_COMPENSATING") expectShown(r.stdout, shown(6, 1));
      if (status === "CHECKOUT_STATUS_FAILED") expectShown(r.stdout, shown(6, 2));
    }
    expectShown((await runBlock(command(6, 3))).stdout, shown(6, 3));
  });

  it("7. lists alice's checkouts, the failed ones, and none needing attention", async () => {
    const [byUser, byStatus, needingAttention] = jsonValues((await runBlock(command(7, 0))).stdout);
    // "newest first: FAILED, then COMPLETED"; "Listings leave out the history".
    expect(byUser.checkouts).toMatchObject([
      { checkoutId: failed.checkoutId, status: "CHECKOUT_STATUS_FAILED" },
      { checkoutId: completed.checkoutId, status: "CHECKOUT_STATUS_COMPLETED" },
    ]);
    expect(byUser.checkouts.map((c: Json) => c.history)).toEqual([undefined, undefined]);
    expect(byStatus.checkouts).toMatchObject([{ checkoutId: failed.checkoutId }]);
    expect(byStatus.checkouts).toHaveLength(1);
    expect(needingAttention).toEqual({});
  });

  let konbini: Json;

  it("8. prices the cart in yen and walks a konbini checkout to PAYMENT_PENDING with its voucher", async () => {
    expect(jsonValues((await runBlock(command(8, 0))).stdout)).toEqual([JSON.parse(shown(8, 0))]);
    expectShown((await runBlock(command(8, 1))).stdout, shown(8, 1));
    await runBlock(command(8, 2));
    const konbiniCalls = tableRows(doc, "8. ");
    // The last call is the charge: it answers the voucher and, waiting, adds no history entry.
    const charge = konbiniCalls.length - 1;
    for (const [call, { status, reason }] of konbiniCalls.entries()) {
      const r = await runBlock(command(8, 3));
      konbini = answer(r).checkout;
      expect([konbini.status, konbini.history.at(-1).reason], `call ${call + 1}`).toEqual([status, reason]);
      if (call === charge - 1) expect(konbini.nextAction, "no voucher before the charge").toBeUndefined();
      if (call === charge) expectShown(r.stdout, shown(8, 2));
    }
    expect(konbini.history).toHaveLength(konbiniCalls.length);
    // "Advancing it again changes nothing until the voucher is paid or expires".
    const again = answer(await runBlock(command(8, 3))).checkout;
    expect([again.status, again.history, again.nextAction]).toEqual([
      konbini.status,
      konbini.history,
      konbini.nextAction,
    ]);
  });

  it("9. pays it through the dev route; the webhook is delivered; two more calls complete it, tax on the order", async () => {
    expectShown((await runBlock(command(9, 0))).stdout, shown(9, 0));
    // "A moment later": the provider's delivery worker sends it from its outbox.
    const webhookCount = command(9, 1);
    ran.add(webhookCount);
    let counted = "";
    for (const deadline = Date.now() + 10_000; counted !== shown(9, 1) && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      counted = (await shell(webhookCount.text)).stdout;
    }
    expect(counted).toBe(shown(9, 1));
    for (const [call, { status, reason }] of tableRows(doc, "9. ").entries()) {
      konbini = answer(await runBlock(command(9, 2))).checkout;
      expect(
        [konbini.status, konbini.history.at(-1).reason],
        `call ${call + 1 + tableRows(doc, "8. ").length}`,
      ).toEqual([status, reason]);
    }
    expect(konbini.status).toBe("CHECKOUT_STATUS_COMPLETED");
    // The order follows CheckoutCompleted through the outbox, as in step 5.
    let rest: Json[] = [];
    const orderOf = (orders: Json) => orders?.items?.find((o: Json) => o.checkout_id === konbini.checkoutId);
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      const r = await runBlock(command(9, 3));
      rest = jsonValues(r.stdout);
      if (orderOf(rest[1])) {
        expectShown(r.stdout, shown(9, 2));
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const [restCheckout, orders] = rest;
    expect(restCheckout).toMatchObject({ checkout_id: konbini.checkoutId, status: "COMPLETED" });
    expect(orderOf(orders)?.totals).toEqual(restCheckout.totals);
  });

  it("ran every command the doc shows", () => {
    expect(blocks.filter((b) => b.lang === "sh" && !ran.has(b)).map((b) => b.text)).toEqual([]);
  });
});
