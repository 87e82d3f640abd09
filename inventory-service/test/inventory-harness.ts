import { randomUUID } from "node:crypto";
import {
  createPostgres,
  createServiceClient,
  createServiceTransport,
  errorDetail,
  type RpcCredentialSettings,
  type Sql,
} from "@checkout-saga/shared";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import { CREDENTIALS_OFF, createTestDatabase, testLogger } from "@checkout-saga/shared/testing";
import { type Client, ConnectError } from "@connectrpc/connect";
import { type Clock, type InventoryService as RunningInventory, startInventoryService } from "../src/index.js";

/** The system clock plus an offset tests can push forward, so holds expire without sleeping. */
export interface MovableClock extends Clock {
  advance(ms: number): void;
}

export function movableClock(): MovableClock {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance(ms) {
      offsetMs += ms;
    },
  };
}

export interface InventoryHarness {
  readonly databaseUrl: string;
  /** The service's RPC address. */
  readonly url: string;
  readonly client: Client<typeof InventoryService>;
  readonly clock: MovableClock;
  /** Direct access to the service's database, to arrange stock and check invariants. */
  readonly sql: Sql;
  /** A product of its own for one test, so tests do not share stock. */
  addProduct(available: number): Promise<string>;
  stockOf(productId: string): Promise<{ available: number; reserved: number }>;
  stop(): Promise<void>;
}

/** The real service on a fresh database (or the given one), on a free port, with a Connect client. */
export async function startInventoryHarness(
  options: { sweepIntervalMs?: number; databaseUrl?: string; credentials?: RpcCredentialSettings } = {},
): Promise<InventoryHarness> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase("inventory"));
  const clock = movableClock();
  const service: RunningInventory = await startInventoryService(
    {
      port: 0,
      databaseUrl,
      reservationTtlSeconds: 300,
      // An hour: effectively off unless a test asks for sweeping.
      sweepIntervalMs: options.sweepIntervalMs ?? 3_600_000,
      credentials: options.credentials ?? CREDENTIALS_OFF,
      logLevel: "silent",
    },
    testLogger("inventory-service"),
    { clock },
  );
  const client = createServiceClient(InventoryService, createServiceTransport(`http://127.0.0.1:${service.port}`));
  const sql = createPostgres(databaseUrl, { max: 2 });
  return {
    databaseUrl,
    url: `http://127.0.0.1:${service.port}`,
    client,
    clock,
    sql,
    async addProduct(available) {
      const productId = `p-${randomUUID()}`;
      await sql`insert into stock (product_id, available, reserved) values (${productId}, ${available}, 0)`;
      return productId;
    },
    async stockOf(productId) {
      const [row] = await sql<{ available: number; reserved: number }[]>`
        select available, reserved from stock where product_id = ${productId}`;
      if (!row) throw new Error(`no stock row for ${productId}`);
      return { available: row.available, reserved: row.reserved };
    },
    async stop() {
      await service.stop();
      await sql.end();
    },
  };
}

/** The code and ErrorDetail of a call that must fail. */
export async function failureOf(call: Promise<unknown>) {
  try {
    await call;
  } catch (err) {
    const detail = errorDetail(err);
    return {
      code: ConnectError.from(err).code,
      reason: detail?.reason,
      lines: detail?.lines.map(({ productId, requested, available }) => ({ productId, requested, available })),
    };
  }
  throw new Error("expected the call to fail");
}

export const checkoutId = () => `co-${randomUUID()}`;

/** Polls until `check` passes (the sweeper runs on its own schedule), failing with its last error. */
export async function eventually(check: () => Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
