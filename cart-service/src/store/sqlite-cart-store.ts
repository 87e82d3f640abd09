import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import type { CartClaim, CartLine } from "../domain/cart.js";
import { assertNextVersion } from "./assert-next-version.js";
import type { CartStore, StoredCart } from "./cart-store.js";
import { carts } from "./schema.js";

const migrationsFolder = fileURLToPath(new URL("../../drizzle", import.meta.url));

export interface SqliteCartStore extends CartStore {
  close(): void;
}

interface ItemJson {
  productId: string;
  quantity: number;
  addedAt: string;
}

interface ClaimJson {
  checkoutId: string;
  lines: Array<{ productId: string; quantity: number }>;
  state: CartClaim["state"];
  at: string;
}

/** Carts in a SQLite file (embedded mode), migrated on open. */
export function openSqliteCartStore(file: string): SqliteCartStore {
  if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  // WAL's default (NORMAL) may lose the last commits on power loss; the event consumer
  // acknowledges only durable writes, so every commit is synced.
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("busy_timeout = 5000");
  const db = drizzle(sqlite);
  migrate(db, { migrationsFolder });

  // Prepared once, in plain SQL: every cart read and write is one of these three statements.
  const byUser = sqlite.prepare<[string], CartRow>(
    "select user_id, items, version, updated_at, applied_event_ids, claims, currency from carts where user_id = ?",
  );
  // insert ... on conflict do nothing: the first writer creates the row, any other loses.
  const insertFirst = sqlite.prepare<CartRow>(
    `insert into carts (user_id, items, version, updated_at, applied_event_ids, claims, currency)
     values (@user_id, @items, @version, @updated_at, @applied_event_ids, @claims, @currency)
     on conflict do nothing`,
  );
  // update ... where user_id = ? and version = ?: a write based on an older read changes nothing.
  const updateIfVersion = sqlite.prepare<CartRow & { expected_version: number }>(
    `update carts set items = @items, version = @version, updated_at = @updated_at,
       applied_event_ids = @applied_event_ids, claims = @claims, currency = @currency
     where user_id = @user_id and version = @expected_version`,
  );

  return {
    async load(userId) {
      const row = byUser.get(userId);
      return row ? toStoredCart(row) : undefined;
    },

    async save(cart, expectedVersion) {
      assertNextVersion(cart, expectedVersion);
      const row: CartRow = {
        user_id: cart.userId,
        items: JSON.stringify(cart.items.map(toItemJson)),
        version: cart.version,
        updated_at: cart.updatedAt.getTime(),
        applied_event_ids: JSON.stringify(cart.appliedEventIds),
        // In the same row as the lines: a claim is checked and written by the same compare-and-set.
        claims: JSON.stringify(cart.claims.map(toClaimJson)),
        currency: cart.currency ?? null,
      };
      const result =
        expectedVersion === 0
          ? insertFirst.run(row)
          : updateIfVersion.run({ ...row, expected_version: expectedVersion });
      return result.changes === 1;
    },

    async deleteIdleBefore(cutoff) {
      return db.delete(carts).where(lt(carts.updatedAt, cutoff)).run().changes;
    },

    close() {
      sqlite.close();
    },
  };
}

/** A row of `carts` (schema.ts) as SQLite stores it: JSON text, milliseconds since the epoch. */
interface CartRow {
  user_id: string;
  items: string;
  version: number;
  updated_at: number;
  applied_event_ids: string;
  claims: string;
  currency: string | null;
}

function toStoredCart(row: CartRow): StoredCart {
  return {
    userId: row.user_id,
    items: (JSON.parse(row.items) as ItemJson[]).map(
      (i): CartLine => ({ productId: i.productId, quantity: i.quantity, addedAt: new Date(i.addedAt) }),
    ),
    version: row.version,
    updatedAt: new Date(row.updated_at),
    appliedEventIds: JSON.parse(row.applied_event_ids) as string[],
    claims: (JSON.parse(row.claims) as ClaimJson[]).map(fromClaimJson),
    ...(row.currency === null ? {} : { currency: row.currency }),
  };
}

function toItemJson(line: CartLine): ItemJson {
  return { productId: line.productId, quantity: line.quantity, addedAt: line.addedAt.toISOString() };
}

function toClaimJson(claim: CartClaim): ClaimJson {
  return {
    checkoutId: claim.checkoutId,
    lines: claim.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
    state: claim.state,
    at: claim.at.toISOString(),
  };
}

function fromClaimJson(json: ClaimJson): CartClaim {
  return {
    checkoutId: json.checkoutId,
    lines: json.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
    state: json.state,
    at: new Date(json.at),
  };
}
