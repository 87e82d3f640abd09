import type { CartClaim, CartLine } from "../domain/cart.js";
import type { StoredCart } from "./cart-store.js";

/** A cart line as stored: BSON keeps the date a Date and a small integer an int32. */
interface LineDocument {
  productId: string;
  quantity: number;
  addedAt: Date;
}

/** A checkout's claim as stored, inside the cart document it claims from. */
interface ClaimDocument {
  checkoutId: string;
  lines: Array<{ productId: string; quantity: number }>;
  state: CartClaim["state"];
  at: Date;
}

/**
 * `carts`: one per user, the cart as of `version`. The copy can lag the cart's newest version
 * (see CartVersionDocument); loads look past it.
 */
export interface CartHeadDocument {
  /** The user id. */
  _id: string;
  /** Drawn when the cart is created, so the versions of a deleted cart never mix with a new one's. */
  cartId: string;
  version: number;
  items: LineDocument[];
  updatedAt: Date;
  appliedEventIds: string[];
  /** Absent in documents written before claims existed. */
  claims?: ClaimDocument[];
  /** Absent for a cart that never chose a currency (the store's). */
  currency?: string;
}

/**
 * `cart_versions`: every version after the first, keyed by versionId. Inserting it is the
 * write (its unique _id makes it a compare-and-set); it holds the whole cart until the next
 * version supersedes it, then stays behind without `cart` as the claim on its number.
 */
export interface CartVersionDocument {
  _id: string;
  updatedAt: Date;
  cart?: { items: LineDocument[]; appliedEventIds: string[]; claims?: ClaimDocument[]; currency?: string };
}

export function versionId(cartId: string, version: number): string {
  return `${cartId}:${version}`;
}

export function toHeadDocument(cart: StoredCart, cartId: string): CartHeadDocument {
  return {
    _id: cart.userId,
    cartId,
    version: cart.version,
    items: cart.items.map(toLineDocument),
    updatedAt: cart.updatedAt,
    appliedEventIds: [...cart.appliedEventIds],
    claims: cart.claims.map(toClaimDocument),
    ...currencyField(cart.currency),
  };
}

export function toVersionDocument(cart: StoredCart, cartId: string): CartVersionDocument {
  return {
    _id: versionId(cartId, cart.version),
    updatedAt: cart.updatedAt,
    // The claims ride in the version document: inserting it is the compare-and-set that decides a race.
    cart: {
      items: cart.items.map(toLineDocument),
      appliedEventIds: [...cart.appliedEventIds],
      claims: cart.claims.map(toClaimDocument),
      ...currencyField(cart.currency),
    },
  };
}

export function fromHeadDocument(head: CartHeadDocument): StoredCart {
  return {
    userId: head._id,
    items: head.items.map(fromLineDocument),
    version: head.version,
    updatedAt: head.updatedAt,
    appliedEventIds: [...head.appliedEventIds],
    claims: (head.claims ?? []).map(fromClaimDocument),
    ...currencyField(head.currency),
  };
}

export function fromVersionDocument(
  userId: string,
  version: number,
  doc: CartVersionDocument & Required<Pick<CartVersionDocument, "cart">>,
): StoredCart {
  return {
    userId,
    items: doc.cart.items.map(fromLineDocument),
    version,
    updatedAt: doc.updatedAt,
    appliedEventIds: [...doc.cart.appliedEventIds],
    claims: (doc.cart.claims ?? []).map(fromClaimDocument),
    ...currencyField(doc.cart.currency),
  };
}

/** The currency, when the cart chose one (optional fields stay absent, not null, under exactOptionalPropertyTypes). */
const currencyField = (currency: string | undefined | null) => (currency ? { currency } : {});

function toLineDocument(line: CartLine): LineDocument {
  return { productId: line.productId, quantity: line.quantity, addedAt: line.addedAt };
}

function fromLineDocument(line: LineDocument): CartLine {
  return { productId: line.productId, quantity: line.quantity, addedAt: line.addedAt };
}

function toClaimDocument(claim: CartClaim): ClaimDocument {
  return {
    checkoutId: claim.checkoutId,
    lines: claim.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
    state: claim.state,
    at: claim.at,
  };
}

function fromClaimDocument(claim: ClaimDocument): CartClaim {
  return {
    checkoutId: claim.checkoutId,
    lines: claim.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })),
    state: claim.state,
    at: claim.at,
  };
}
