import { type Amount, parseMoney, type TaxClass } from "@checkout-saga/shared";

/** A catalog entry. Stock is not here: the inventory service owns it. */
export interface Product {
  id: string;
  name: string;
  description: string;
  /** One price per currency it is sold in, ordered by currency code. */
  prices: Amount[];
  taxClass: TaxClass;
  imageUrl: string;
  /** False once an admin takes it off sale: still shown, never added to a cart or bought. */
  sellable: boolean;
}

/** The product's price in `currency`, or undefined when it is not sold in it (never a converted guess). */
export const priceIn = (p: Product, currency: string): Amount | undefined =>
  p.prices.find((price) => price.currency === currency);

export interface ProductPage {
  products: Product[];
  /** Undefined on the last page. */
  nextCursor?: string;
}

/** One recorded change to the catalog: who made it (`user:<id>` for an admin) and what it set. */
export interface ProductChange {
  productId: string;
  actor: string;
  action: "created" | "updated";
  /** What the change set, as the admin sent it (prices in minor units). */
  details: Record<string, unknown>;
  at: Date;
}

/**
 * The catalog, whatever stores it (SQLite in embedded mode, PostgreSQL in production). Every
 * write records a ProductChange in the same transaction, so no change goes unattributed.
 */
export interface Catalog {
  get(id: string): Promise<Product | undefined>;
  getMany(ids: string[]): Promise<Product[]>;
  /** Products ordered by id, after `afterId`. */
  list(limit: number, afterId?: string): Promise<ProductPage>;
  /** Adds a product (its id new to the catalog). */
  create(product: Product, actor: string, at: Date): Promise<void>;
  /** Applies `patch` to the product; undefined when there is no such product. */
  update(id: string, patch: ProductPatch, actor: string, at: Date): Promise<Product | undefined>;
  /** The product's changes, oldest first. */
  changes(productId: string): Promise<ProductChange[]>;
}

/** What an admin may change of a product; absent members stay as they are. */
export interface ProductPatch {
  /** Replaces every price. */
  prices?: Amount[];
  description?: string;
  sellable?: boolean;
}

/** The catalog a fresh install starts with: USD and JPY (tax-inclusive) prices, as the contract lists them. */
export const seedProducts: Product[] = [
  product("1", "Laptop", "14-inch ultrabook, 16 GB RAM, 512 GB SSD", { USD: "1299.99", JPY: "189800" }),
  product("2", "Mouse", "Wireless optical mouse", { USD: "29.99", JPY: "4480" }),
  product("3", "Keyboard", "Mechanical keyboard, tenkeyless", { USD: "89.99", JPY: "13200" }),
  product("4", "Monitor", "27-inch 4K IPS monitor", { USD: "399.99", JPY: "59800" }),
  product("5", "Headphones", "Noise-cancelling over-ear headphones", { USD: "249.99", JPY: "37400" }),
  product("6", "Matcha", "Ceremonial-grade matcha, 30 g tin", { USD: "14.99", JPY: "1620" }, "reduced"),
];

function product(
  id: string,
  name: string,
  description: string,
  prices: Record<string, string>,
  taxClass: TaxClass = "standard",
): Product {
  return {
    id,
    name,
    description,
    prices: Object.entries(prices)
      .map(([currency, major]) => parseMoney(currency, major))
      .sort((a, b) => a.currency.localeCompare(b.currency)),
    taxClass,
    imageUrl: `https://images.example.com/products/${id}.jpg`,
    sellable: true,
  };
}
