import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "@checkout-saga/shared/dev";
import { testLogger } from "@checkout-saga/shared/testing";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningFerretDb, startFerretDb } from "../../scripts/provision/servers.js";
import { describeCartStoreContract } from "../src/store/cart-store.contract.js";
import type { StoredCart } from "../src/store/cart-store.js";
import { openMongoCartStore } from "../src/store/mongo-cart-store.js";

const logger = testLogger("mongo-cart-store-test");

let dir: string;
let ferretDb: RunningFerretDb;
let client: MongoClient;

// Long timeout: the first run on a machine builds FerretDB.
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "cart-ferretdb-"));
  ferretDb = await startFerretDb({ port: await freePort(), dataDir: dir });
  client = new MongoClient(ferretDb.uri);
}, 600_000);

afterAll(async () => {
  await client?.close();
  await ferretDb?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A store on a database of its own, dropped afterwards. */
async function openFreshStore() {
  const database = `cart_${randomUUID().replaceAll("-", "")}`;
  const store = await openMongoCartStore({ uri: ferretDb.uri, database, logger });
  return {
    store,
    database,
    async cleanup() {
      await store.close();
      await client.db(database).dropDatabase();
    },
  };
}

describeCartStoreContract("MongoDB wire protocol (FerretDB)", openFreshStore);

describe("MongoDB cart store", () => {
  const cart = (version: number, productId: string): StoredCart => ({
    userId: "u1",
    items: [{ productId, quantity: version, addedAt: new Date("2026-01-01T00:00:00.000Z") }],
    version,
    updatedAt: new Date(Date.UTC(2026, 0, 1, 0, version)),
    appliedEventIds: [`e${version}`],
    claims: [],
  });

  it("serves and builds on a version committed by a writer that stopped before copying it to the head", async () => {
    const { store, database, cleanup } = await openFreshStore();
    try {
      expect(await store.save(cart(1, "a"), 0)).toBe(true);
      expect(await store.save(cart(2, "b"), 1)).toBe(true);
      // Put the head back to version 1, as if version 2's writer had died right after committing.
      const heads = client.db(database).collection<{ _id: string }>("carts");
      const { userId: _, ...version1 } = cart(1, "a");
      await heads.updateOne({ _id: "u1" }, { $set: version1 });

      expect(await store.load("u1")).toEqual(cart(2, "b"));
      expect(await store.save(cart(2, "stale"), 1)).toBe(false);
      expect(await store.save(cart(3, "c"), 2)).toBe(true);
      expect(await store.load("u1")).toEqual(cart(3, "c"));
      expect(await heads.findOne({ _id: "u1" })).toMatchObject({ version: 3 });
    } finally {
      await cleanup();
    }
  });

  it("keeps only the newest version whole and a bounded number of superseded claims", async () => {
    const { store, database, cleanup } = await openFreshStore();
    try {
      for (let version = 1; version <= 105; version++) {
        expect(await store.save(cart(version, `p${version}`), version - 1)).toBe(true);
      }
      expect(await store.load("u1")).toEqual(cart(105, "p105"));
      const versions = client.db(database).collection("cart_versions");
      expect(await versions.countDocuments({})).toBe(100);
      expect(await versions.countDocuments({ cart: { $exists: true } })).toBe(1);
      expect(await store.save(cart(5, "stale"), 4)).toBe(false);
    } finally {
      await cleanup();
    }
  });

  it("loads a cart written before carts had claims as one without claims, and adds them on the next write", async () => {
    const { store, database, cleanup } = await openFreshStore();
    try {
      expect(await store.save(cart(1, "a"), 0)).toBe(true);
      const heads = client.db(database).collection<{ _id: string }>("carts");
      await heads.updateOne({ _id: "u1" }, { $unset: { claims: "" } });
      expect(await store.load("u1")).toEqual(cart(1, "a"));

      const claimed: StoredCart = {
        ...cart(2, "a"),
        claims: [{ checkoutId: "c1", lines: [{ productId: "a", quantity: 1 }], state: "held", at: new Date(0) }],
      };
      expect(await store.save(claimed, 1)).toBe(true);
      expect(await store.load("u1")).toEqual(claimed);
    } finally {
      await cleanup();
    }
  });

  it("refuses a save building on a load from before the idle sweep deleted the cart, whichever instance swept", async () => {
    const { store, database, cleanup } = await openFreshStore();
    const otherInstance = await openMongoCartStore({ uri: ferretDb.uri, database, logger });
    try {
      const idle = { ...cart(1, "a"), updatedAt: new Date("2020-01-01T00:00:00.000Z") };
      const sweepCutoff = new Date("2021-01-01T00:00:00.000Z");
      for (const sweeper of [store, otherInstance]) {
        expect(await store.save(idle, 0)).toBe(true);
        expect(await store.load("u1")).toEqual(idle);
        expect(await sweeper.deleteIdleBefore(sweepCutoff)).toBe(1);

        expect(await store.save(cart(2, "b"), 1)).toBe(false);
        expect(await store.load("u1")).toBeUndefined();
      }
    } finally {
      await otherInstance.close();
      await cleanup();
    }
  });

  it("leaves a new cart alone when a save builds on a load from before this store swept the old one", async () => {
    const { store, cleanup } = await openFreshStore();
    try {
      const idle = (version: number) => ({ ...cart(version, "old"), updatedAt: new Date("2020-01-01T00:00:00.000Z") });
      for (let version = 1; version <= 3; version++) expect(await store.save(idle(version), version - 1)).toBe(true);
      expect(await store.load("u1")).toEqual(idle(3));
      expect(await store.deleteIdleBefore(new Date("2021-01-01T00:00:00.000Z"))).toBe(1);
      const fresh = cart(1, "new");
      expect(await store.save(fresh, 0)).toBe(true);

      expect(await store.save(cart(4, "built on the old cart"), 3)).toBe(false);
      expect(await store.load("u1")).toEqual(fresh);
    } finally {
      await cleanup();
    }
  });

  it("keeps a cart whose head is idle but whose newer committed version is not", async () => {
    const { store, database, cleanup } = await openFreshStore();
    try {
      const old = { ...cart(1, "a"), updatedAt: new Date("2020-01-01T00:00:00.000Z") };
      await store.save(old, 0);
      await store.save(cart(2, "b"), 1);
      const heads = client.db(database).collection<{ _id: string }>("carts");
      await heads.updateOne({ _id: "u1" }, { $set: { version: 1, updatedAt: old.updatedAt } });

      expect(await store.deleteIdleBefore(new Date("2025-01-01T00:00:00.000Z"))).toBe(0);
      expect(await store.load("u1")).toEqual(cart(2, "b"));
    } finally {
      await cleanup();
    }
  });
});
