import {
  currencyExponent,
  DomainError,
  failedPrecondition,
  invalidArgument,
  type Logger,
  notFound,
} from "@checkout-saga/shared";
import type { CartCache } from "../cache/cart-cache.js";
import type { CartStore, StoredCart } from "../store/cart-store.js";
import {
  addToLines,
  type Cart,
  type CartClaim,
  type CartLine,
  type CheckedOutLine,
  type ClaimedLine,
  removeLine,
  setLineQuantity,
} from "./cart.js";
import {
  claimLines,
  findClaim,
  heldClaims,
  pruneClaims,
  releaseClaim,
  requireClaimLines,
  settleClaim,
} from "./cart-claims.js";
import type { ProductCatalog } from "./product-catalog.js";

/** How many applied event ids a cart remembers: redeliveries arrive long before 50 newer checkouts. */
export const APPLIED_EVENT_IDS_KEPT = 50;

/** A CheckoutCompleted event, as the cart needs it. */
export interface CheckoutCompletedEvent {
  eventId: string;
  userId: string;
  checkoutId: string;
  /** What the checkout bought; taken out of the cart only when the checkout held no claim. */
  lines: CheckedOutLine[];
}

/**
 * `settled`: the checkout's held claim left the cart. `applied`: the checkout held no claim
 * (it began before claims existed), so the event's lines left the cart. `already-applied`: a
 * redelivery or a checkout already settled, nothing changed. `no-cart`: the user has no cart.
 */
export type CheckoutCompletedOutcome = "settled" | "applied" | "already-applied" | "no-cart";

/**
 * `released`: a held claim was released. `tombstoned`: the checkout held no claim; one that
 * arrives later is refused. `already-ended`: it was already released or settled.
 */
export type ReleaseOutcome = "released" | "tombstoned" | "already-ended";

/** The cart use cases: reads go through the cache, writes are compare-and-set loops on the store. */
export interface Carts {
  getCart(userId: string): Promise<Cart>;
  addItem(userId: string, productId: string, quantity: number): Promise<Cart>;
  updateQuantity(userId: string, productId: string, quantity: number): Promise<Cart>;
  removeItem(userId: string, productId: string): Promise<Cart>;
  clearCart(userId: string): Promise<Cart>;
  /**
   * Prices the cart in `currency` from now on. Refused (PRODUCT_NOT_PRICED, naming the product)
   * when a line's product has no price in it; UNKNOWN_CURRENCY outside ISO 4217.
   */
  setCurrency(userId: string, currency: string): Promise<Cart>;
  /**
   * Holds `lines` for the checkout, all or nothing, so no other checkout can buy them.
   * Idempotent per checkout; see claimLines for the refusals.
   */
  claimLines(userId: string, checkoutId: string, lines: ClaimedLine[]): Promise<CartClaim>;
  /** Ends the checkout's claim (its compensation, or CheckoutFailed); idempotent. */
  releaseClaim(userId: string, checkoutId: string): Promise<ReleaseOutcome>;
  /**
   * Takes a completed checkout's lines out of the user's cart exactly once: its held claim's
   * lines; without a claim, the event's lines. Either way the claim is settled in the same
   * write, and the event id remembered.
   */
  applyCheckoutCompleted(event: CheckoutCompletedEvent): Promise<CheckoutCompletedOutcome>;
  /**
   * The checkout's claim on the user's cart, in any state, from the store (the cache keeps
   * held claims only); undefined when the cart has no record of the checkout.
   */
  getClaim(userId: string, checkoutId: string): Promise<CartClaim | undefined>;
}

export interface CartsDeps {
  store: CartStore;
  cache: CartCache;
  products: ProductCatalog;
  now: () => Date;
  logger: Logger;
  /** The currency of a cart that never chose one (STORE_CURRENCY). */
  storeCurrency: string;
  /** Compare-and-set attempts per write before giving up with ABORTED (default 5). */
  maxAttempts?: number;
}

interface InFlightLoad {
  cart: Promise<Cart>;
  /** Set when a write overtook the load: its result must not reach the cache. */
  stale: boolean;
}

/**
 * A change to a cart: the next lines (and claims, when they change), or undefined when there
 * is nothing to write.
 */
type Change = (
  current: StoredCart | undefined,
) => { items: CartLine[]; claims?: CartClaim[]; eventId?: string; currency?: string } | undefined;

export function createCarts(deps: CartsDeps): Carts {
  const { store, cache, products, now, logger, storeCurrency } = deps;
  const currencyOf = (cart: StoredCart | undefined) => cart?.currency ?? storeCurrency;
  const toCart = (userId: string, stored: StoredCart | undefined): Cart =>
    stored
      ? {
          userId,
          currency: currencyOf(stored),
          items: stored.items,
          claims: heldClaims(stored.claims),
          updatedAt: stored.updatedAt,
        }
      : { userId, currency: storeCurrency, items: [], claims: [] };
  const maxAttempts = deps.maxAttempts ?? 5;
  /** One store load per user at a time; a write marks the load stale so it never fills the cache. */
  const loads = new Map<string, InFlightLoad>();

  async function readThrough(userId: string): Promise<Cart> {
    const cached = await cacheCall("get", userId, () => cache.get(userId));
    if (cached) return cached;
    const inFlight = loads.get(userId);
    if (inFlight) return inFlight.cart;
    const load: InFlightLoad = {
      stale: false,
      cart: loadAndFill(userId, () => !load.stale).finally(() => {
        if (loads.get(userId) === load) loads.delete(userId);
      }),
    };
    loads.set(userId, load);
    return load.cart;
  }

  async function loadAndFill(userId: string, stillCurrent: () => boolean): Promise<Cart> {
    const stored = await store.load(userId);
    const cart = toCart(userId, stored);
    // stillCurrent covers writes on this instance; the version lets the cache refuse this cart
    // if another instance wrote a newer one meanwhile.
    if (stillCurrent()) await cacheCall("set", userId, () => cache.set(userId, cart, stored?.version ?? 0));
    return cart;
  }

  /**
   * Read-modify-write with compare-and-set, retried when another write got in between. A caller
   * that has just loaded the cart passes it as `loaded`, saving the first attempt's read: if the
   * cart changed since, the compare-and-set refuses the write and the next attempt reloads.
   */
  async function write(userId: string, change: Change, loaded?: { cart: StoredCart | undefined }): Promise<Cart> {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const current = attempt === 1 && loaded ? loaded.cart : await store.load(userId);
      const next = change(current);
      if (!next) return toCart(userId, current);
      const updatedAt = now();
      const currency = next.currency ?? current?.currency;
      const cart: StoredCart = {
        userId,
        ...(currency === undefined ? {} : { currency }),
        items: next.items,
        // Every write tidies the tombstones, so a cart stays small without writes of its own.
        claims: pruneClaims(next.claims ?? current?.claims ?? [], updatedAt),
        version: (current?.version ?? 0) + 1,
        updatedAt,
        appliedEventIds: remember(current?.appliedEventIds ?? [], next.eventId),
      };
      if (await store.save(cart, current?.version ?? 0)) {
        await invalidate(userId, cart.version);
        return toCart(userId, cart);
      }
      logger.debug({ userId, attempt }, "cart changed concurrently; retrying");
      await backoff(attempt);
    }
    throw new DomainError("aborted", "CART_CONFLICT", "the cart kept changing concurrently; try again");
  }

  async function invalidate(userId: string, version: number): Promise<void> {
    const inFlight = loads.get(userId);
    if (inFlight) {
      // A load that started before this write may return the old cart: keep it out of the
      // cache, and let later readers start a fresh load that sees the write.
      inFlight.stale = true;
      loads.delete(userId);
    }
    await cacheCall("invalidate", userId, () => cache.invalidate(userId, version));
  }

  /** The cache is an optimisation: when it fails, requests go on without it. */
  async function cacheCall<T>(op: string, userId: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (err) {
      logger.warn({ err, userId, op }, "cart cache failed; bypassing it");
      return undefined;
    }
  }

  /**
   * Refuses products that do not exist (NOT_FOUND), are off sale when `adding` them
   * (PRODUCT_NOT_SELLABLE; lines already in the cart may stay, the checkout refuses them), or have
   * no price in `currency` (PRODUCT_NOT_PRICED).
   */
  async function requireSellable(productIds: string[], currency: string, adding: boolean): Promise<void> {
    if (productIds.length === 0) return;
    const { missing, unpriced, unsellable } = await products.check(productIds, currency);
    const [gone] = missing;
    if (gone !== undefined) {
      throw notFound("PRODUCT_NOT_FOUND", `product ${gone} does not exist`, { metadata: { product_id: gone } });
    }
    const [offSale] = unsellable;
    if (adding && offSale !== undefined) {
      throw failedPrecondition("PRODUCT_NOT_SELLABLE", `product ${offSale} is not for sale`, {
        metadata: { product_id: offSale },
      });
    }
    const [first] = unpriced;
    if (first !== undefined) {
      throw failedPrecondition(
        "PRODUCT_NOT_PRICED",
        `product ${first} has no price in ${currency}${unpriced.length > 1 ? ` (nor ${unpriced.slice(1).join(", ")})` : ""}`,
        { metadata: { product_id: first, product_ids: unpriced.join(","), currency } },
      );
    }
  }

  /** The currency changed between the check and the write: the check no longer holds. */
  const currencyChanged = () =>
    new DomainError("aborted", "CART_CONFLICT", "the cart's currency changed meanwhile; try again");

  return {
    async getCart(userId) {
      return readThrough(userId);
    },

    async addItem(userId, productId, quantity) {
      const loaded = await store.load(userId);
      const currency = currencyOf(loaded);
      await requireSellable([productId], currency, true);
      return write(
        userId,
        (current) => {
          if (currencyOf(current) !== currency) throw currencyChanged();
          return { items: addToLines(current?.items ?? [], productId, quantity, now()) };
        },
        { cart: loaded },
      );
    },

    async setCurrency(userId, currency) {
      currencyExponent(currency);
      const before = await store.load(userId);
      const checked = new Set(before?.items.map((l) => l.productId));
      await requireSellable([...checked], currency, false);
      return write(
        userId,
        (current) => {
          if (currencyOf(current) === currency) return undefined;
          // A line added after the check was checked in the old currency, not this one.
          if (current?.items.some((l) => !checked.has(l.productId))) throw currencyChanged();
          return { items: current?.items ?? [], currency };
        },
        { cart: before },
      );
    },

    async updateQuantity(userId, productId, quantity) {
      return write(userId, (current) => ({ items: setLineQuantity(current?.items ?? [], productId, quantity) }));
    },

    async removeItem(userId, productId) {
      return write(userId, (current) => ({ items: removeLine(current?.items ?? [], productId) }));
    },

    async clearCart(userId) {
      // Emptied, not deleted: the cart keeps its version and the event ids it has applied.
      return write(userId, (current) => (current && current.items.length > 0 ? { items: [] } : undefined));
    },

    async claimLines(userId, checkoutId, lines) {
      requireClaimLines(lines);
      let claim: CartClaim | undefined;
      // Decided on the store's copy, never the cache's: the compare-and-set makes it final.
      await write(userId, (current) => {
        const cart = { items: current?.items ?? [], claims: current?.claims ?? [] };
        const result = claimLines(cart, checkoutId, lines, now());
        claim = result.claim;
        return result.changed ? { items: cart.items, claims: result.claims } : undefined;
      });
      if (!claim) throw new Error("claimLines: the write ended without a claim");
      return claim;
    },

    async releaseClaim(userId, checkoutId) {
      let outcome: ReleaseOutcome = "released";
      // Without a cart the tombstone still gets written (creating an empty cart): a claim that
      // arrives after this release must be refused even if the user fills the cart meanwhile.
      await write(userId, (current) => {
        const claims = current?.claims ?? [];
        const next = releaseClaim(claims, checkoutId, now());
        if (!next) {
          outcome = "already-ended";
          return undefined;
        }
        outcome = claims.some((c) => c.checkoutId === checkoutId) ? "released" : "tombstoned";
        return { items: current?.items ?? [], claims: next };
      });
      return outcome;
    },

    async getClaim(userId, checkoutId) {
      const stored = await store.load(userId);
      return stored && findClaim(stored.claims, checkoutId);
    },

    async applyCheckoutCompleted(event) {
      // An event is not a request: no field rules checked it on its way here.
      for (const [field, value] of [
        ["event_id", event.eventId],
        ["user_id", event.userId],
        ["checkout_id", event.checkoutId],
      ] as const) {
        if (value === "") throw invalidArgument("INVALID_ARGUMENT", `${field} is required`, { metadata: { field } });
      }
      for (const line of event.lines) {
        if (!Number.isInteger(line.quantity) || line.quantity < 1) {
          throw invalidArgument("INVALID_QUANTITY", `checked-out quantity must be positive, got ${line.quantity}`);
        }
      }
      let outcome: CheckoutCompletedOutcome = "applied";
      await write(event.userId, (current) => {
        if (!current) {
          outcome = "no-cart";
          return undefined;
        }
        const claim = findClaim(current.claims, event.checkoutId);
        const settled = settleClaim(current, event.checkoutId, event.lines, now());
        if (current.appliedEventIds.includes(event.eventId) || !settled) {
          outcome = "already-applied";
          return undefined;
        }
        outcome = claim?.state === "held" ? "settled" : "applied";
        return { ...settled, eventId: event.eventId };
      });
      return outcome;
    },
  };
}

function remember(eventIds: string[], eventId: string | undefined): string[] {
  return eventId === undefined ? eventIds : [...eventIds, eventId].slice(-APPLIED_EVENT_IDS_KEPT);
}

/** A few milliseconds, growing and jittered, so racing writers stop colliding. */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
}
