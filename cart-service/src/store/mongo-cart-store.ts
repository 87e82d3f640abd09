import { randomUUID } from "node:crypto";
import { type Logger, poolSizeForThisMachine } from "@checkout-saga/shared";
import { type Collection, MongoClient, MongoServerError } from "mongodb";
import { assertNextVersion } from "./assert-next-version.js";
import type { CartStore, StoredCart } from "./cart-store.js";
import {
  type CartHeadDocument,
  type CartVersionDocument,
  fromHeadDocument,
  fromVersionDocument,
  toHeadDocument,
  toVersionDocument,
  versionId,
} from "./mongo-cart-documents.js";

export interface MongoCartStore extends CartStore {
  close(): Promise<void>;
}

export interface MongoCartStoreOptions {
  /** A MongoDB connection string (MongoDB 7, or FerretDB 1.24). */
  uri: string;
  database: string;
  logger: Logger;
}

/**
 * How many superseded versions of a cart keep their claim. A writer would have to read a
 * version this many writes ago and only then write for a freed number to be taken twice.
 */
const CLAIMS_KEPT = 100;
/** Idle carts deleted per statement. */
const DELETE_BATCH = 500;
/** Users whose last loaded cart the store remembers (see loadedCarts); about 100 bytes each. */
const LOADS_REMEMBERED = 10_000;
const DUPLICATE_KEY = 11000;

/**
 * Carts over the MongoDB wire protocol, for MongoDB 7 and FerretDB 1.24 alike.
 *
 * FerretDB 1.x runs `update` and `findAndModify` as a query followed by an unconditional
 * write by _id, so `findOneAndUpdate({ _id, version })` lets racing writers all win (checked:
 * 10 racing writers on one version, several won in nearly every round). What it does make
 * atomic is a unique key on insert. So a write inserts its version as a document of its own,
 * `${cartId}:${version}` in `cart_versions`: one insert per number can win, and that insert
 * is the write. The writer then copies the cart to its head in `carts` (one document per
 * user, which a load reads by _id) and strips the version it superseded down to a bare claim.
 * The head can lag (a writer stopped between insert and copy, or a slower writer's copy
 * landed after a newer one's): loads look for newer versions past it, and the next write
 * moves it on.
 *
 * A write builds on a load (load, change, save), and the store remembers which cart id and
 * version each load found: a save expecting that version keys its version document with that
 * cart id without reading the head again. Any other expected version reads the head first.
 *
 * Every hot-path query filters on _id alone, the one filter FerretDB 1.24.2 serves from an
 * index. The repo runs it on PostgreSQL with a GIN index on `_id` (scripts/provision/ferretdb.ts):
 * about 1 ms per write. On its SQLite backend, or on PostgreSQL without that index, an update or
 * delete that changes a document scans the collection (20 000 documents: ~30 ms of FerretDB's
 * CPU per replaceOne on SQLite, ~7 ms of PostgreSQL's without the index), and `$in` filters are
 * worse still (~300 ms).
 *
 * Idle carts go through deleteIdleBefore (the sweeper), not a TTL index: FerretDB 1.24
 * refuses `expireAfterSeconds` (NotImplemented), and one mechanism behaves the same on both.
 */
export async function openMongoCartStore(options: MongoCartStoreOptions): Promise<MongoCartStore> {
  const { logger } = options;
  // Writes serialize in the server anyway: a few sockets serve as well as the driver's default 100.
  const client = new MongoClient(options.uri, { maxPoolSize: poolSizeForThisMachine() });
  let carts: Collection<CartHeadDocument>;
  let versions: Collection<CartVersionDocument>;
  const loaded = loadedCarts(LOADS_REMEMBERED);
  try {
    await client.connect();
    // The event consumer acknowledges an event once its write resolves: wait for the journal.
    const db = client.db(options.database, { writeConcern: { w: "majority", journal: true } });
    carts = db.collection("carts");
    versions = db.collection("cart_versions");
    await carts.createIndex({ updatedAt: 1 });
    await versions.createIndex({ updatedAt: 1 });
  } catch (err) {
    await client.close();
    throw err;
  }

  /** The head, or the newest version committed past it. */
  async function newest(head: CartHeadDocument): Promise<StoredCart> {
    let found: { version: number; doc: CartVersionDocument } | undefined;
    for (let version = head.version + 1; ; version++) {
      const doc = await versions.findOne({ _id: versionId(head.cartId, version) });
      if (!doc) break;
      found = { version, doc };
    }
    if (!found) return fromHeadDocument(head);
    const { version, doc } = found;
    // Only the writer of version n + 1 strips version n, after inserting n + 1.
    if (!doc.cart) throw new Error(`cart of ${head._id}: newest version ${version} holds no cart`);
    return fromVersionDocument(head._id, version, { ...doc, cart: doc.cart });
  }

  /** After the version is committed: copy it to the head, strip its predecessor, drop an old claim. */
  async function settle(cart: StoredCart, cartId: string): Promise<boolean> {
    const { _id, ...head } = toHeadDocument(cart, cartId);
    const [copied, ...housekeeping] = await Promise.allSettled([
      carts.replaceOne({ _id }, head),
      cart.version > 2 ? versions.updateOne({ _id: versionId(cartId, cart.version - 1) }, { $unset: { cart: "" } }) : 0,
      cart.version > CLAIMS_KEPT ? versions.deleteOne({ _id: versionId(cartId, cart.version - CLAIMS_KEPT) }) : 0,
    ]);
    // The write stands either way: loads find the version past a lagging head.
    for (const r of [copied, ...housekeeping]) {
      if (r.status === "rejected") logger.warn({ err: r.reason, userId: _id }, "cart version tidy-up failed");
    }
    // No head left: the idle sweep deleted the cart since this write read it; the version is an orphan.
    return copied.status === "rejected" || copied.value.matchedCount === 1;
  }

  /**
   * The id of the cart whose version `expectedVersion` a save builds on; undefined when that
   * version is no longer (or never was) the cart's newest.
   */
  async function cartIdBuiltOn(userId: string, expectedVersion: number): Promise<string | undefined> {
    const seen = loaded.get(userId);
    if (seen?.version === expectedVersion) return seen.cartId;
    const head = await carts.findOne({ _id: userId }, { projection: { cartId: 1, version: 1 } });
    if (!head || head.version > expectedVersion) return undefined;
    // A lagging head: the expected version must be one this cart committed.
    if (head.version < expectedVersion && !(await exists(versions, versionId(head.cartId, expectedVersion)))) {
      return undefined;
    }
    return head.cartId;
  }

  return {
    async load(userId) {
      const head = await carts.findOne({ _id: userId });
      if (!head) return undefined;
      const cart = await newest(head);
      loaded.remember(userId, head.cartId, cart.version);
      return cart;
    },

    async save(cart, expectedVersion) {
      assertNextVersion(cart, expectedVersion);
      if (expectedVersion === 0) {
        // Creating inserts the head itself, under the user id: one create can win, so it needs no read first.
        return insertUnlessTaken(() => carts.insertOne(toHeadDocument(cart, randomUUID())));
      }
      const cartId = await cartIdBuiltOn(cart.userId, expectedVersion);
      if (cartId === undefined) return false;
      if (!(await insertUnlessTaken(() => versions.insertOne(toVersionDocument(cart, cartId))))) return false;
      return settle(cart, cartId);
    },

    async deleteIdleBefore(cutoff) {
      let deleted = 0;
      let batch: string[] = [];
      const deleteBatch = async () => {
        // updatedAt again: a cart written since it was found stays. Atomic on MongoDB; on
        // FerretDB a write in the instant between its query and its delete can still go.
        const result = await carts.deleteMany({ _id: { $in: batch }, updatedAt: { $lt: cutoff } });
        deleted += result.deletedCount;
        // A save building on a load from before the sweep reads the head again (and finds none,
        // or a new cart), rather than keying its version to the deleted cart.
        for (const userId of batch) loaded.forget(userId);
        batch = [];
      };
      const idle = carts.find({ updatedAt: { $lt: cutoff } }, { projection: { cartId: 1, version: 1 } });
      for await (const head of idle) {
        // A newer version past the head means the cart was written since the head was copied.
        if (await exists(versions, versionId(head.cartId, head.version + 1))) continue;
        batch.push(head._id);
        if (batch.length === DELETE_BATCH) await deleteBatch();
      }
      if (batch.length > 0) await deleteBatch();
      // The versions of deleted carts, and claims too old for any writer to still be behind.
      await versions.deleteMany({ updatedAt: { $lt: cutoff } });
      return deleted;
    },

    async close() {
      await client.close();
    },
  };
}

/**
 * The cart id and version each user's last load found, for the most recent `max` users. A
 * remembered id goes stale only when the idle sweep deletes the cart: a sweep by this store
 * forgets it; after one on another instance the save finds no head to copy to and returns
 * false. (Unless a new cart was created in that instant too: the copy overwrites its head, as
 * it can when the save read the head itself a moment earlier. FerretDB cannot filter the copy
 * on cartId without scanning.)
 */
function loadedCarts(max: number) {
  const byUser = new Map<string, { cartId: string; version: number }>();
  return {
    get: (userId: string) => byUser.get(userId),
    remember(userId: string, cartId: string, version: number) {
      // Re-inserted, so the Map's first key is always the least recently loaded.
      byUser.delete(userId);
      byUser.set(userId, { cartId, version });
      if (byUser.size > max) byUser.delete(byUser.keys().next().value!);
    },
    forget: (userId: string) => void byUser.delete(userId),
  };
}

/** Runs an insert; false when its _id was taken (another writer got there first). */
async function insertUnlessTaken(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (err) {
    if (err instanceof MongoServerError && err.code === DUPLICATE_KEY) return false;
    throw err;
  }
}

async function exists(collection: Collection<CartVersionDocument>, _id: string): Promise<boolean> {
  return (await collection.findOne({ _id }, { projection: { _id: 1 } })) !== null;
}
